"""One buffered batch through the pipeline: transform, deliver, write error outputs.

S3 destination: the Ok records' data, concatenated as AWS does (no separator),
become one object under Prefix; records the Lambda failed go to ErrorOutputPrefix
(default `processing-failed/`) as JSON lines; with S3BackupMode=Enabled the
source records are also written to the backup bucket.

OpenSearch / Elasticsearch destination: Ok records are bulk-indexed; documents
still failing after RetryDuration go to `<S3 prefix>AmazonOpenSearchService-failed/`
(`elasticsearch-failed/`); Lambda failures to the backup bucket's
`processing-failed/`. S3BackupMode=AllDocuments also writes every document sent
to the index (the transformed records, which is what the workshop's `apache_`
backup shows: its objects are the ETL's JSON output, `}{`-concatenated) under the
S3 prefix; FailedDocumentsOnly writes only the failed ones.

Dropped records are only counted.
"""
from __future__ import annotations

import logging

from lab_localstack.firehose import error_records
from lab_localstack.firehose.counters import StreamCounters
from lab_localstack.firehose.journal import JournalRecord
from lab_localstack.firehose.lambda_processor import LambdaTransformer, RecordOutcome
from lab_localstack.firehose.s3_writer import S3Writer
from lab_localstack.firehose.search_delivery import SearchDelivery, documents_for
from lab_localstack.firehose.stream_settings import S3Target, StreamSettings

LOG = logging.getLogger(__name__)

PROCESSING_FAILED = "processing-failed"


def deliver_batch(
    settings: StreamSettings,
    batch: list[JournalRecord],
    transformer: LambdaTransformer | None,
    s3: S3Writer,
    search: SearchDelivery | None,
) -> StreamCounters:
    """Deliver one batch; returns how many of its records ended where (the stream's
    counters are the sum of its batches')."""
    result = StreamCounters()
    if transformer is not None:
        outcomes = transformer.transform(batch)
    else:
        outcomes = [RecordOutcome("Ok", data=record.data) for record in batch]

    ok = [(record, outcome.data) for record, outcome in zip(batch, outcomes) if outcome.result == "Ok"]
    failed = [(record, outcome.failure) for record, outcome in zip(batch, outcomes)
              if outcome.result == "ProcessingFailed"]
    result.dropped = sum(1 for outcome in outcomes if outcome.result == "Dropped")

    if failed:
        lambda_arn = transformer.processor.function_arn if transformer else ""
        lines = [error_records.processing_failed_line(record.arrival_ms, record.data, failure, lambda_arn)
                 for record, failure in failed]
        _write(s3, settings, settings.s3, lines_body(lines), failed[0][0].arrival_ms, PROCESSING_FAILED)
        result.processing_failed = len(failed)
        result.s3_objects += 1

    if settings.search is None:
        if ok:
            _write(s3, settings, settings.s3, b"".join(data for _, data in ok), ok[0][0].arrival_ms)
            result.delivered = len(ok)
            result.s3_objects += 1
        if settings.source_backup is not None and batch:
            _write(s3, settings, settings.source_backup, b"".join(r.data for r in batch), batch[0].arrival_ms)
            result.backed_up = len(batch)
            result.s3_objects += 1
        return result

    if not ok:
        return result
    documents = documents_for(settings.search, [r for r, _ in ok], [data for _, data in ok])
    not_indexed = search.deliver(documents)
    result.delivered = len(documents) - len(not_indexed)
    if not_indexed:
        lines = [error_records.delivery_failed_line(doc.record.arrival_ms, doc.body, failure)
                 for doc, failure in not_indexed]
        folder = f"{settings.s3.prefix}{settings.search.failed_folder}/"
        _write(s3, settings, settings.s3, lines_body(lines), not_indexed[0][0].record.arrival_ms,
               settings.search.failed_folder, folder)
        result.delivery_failed = len(not_indexed)
        result.s3_objects += 1
    if settings.search.backup_mode == "AllDocuments":
        _write(s3, settings, settings.s3, b"".join(doc.body for doc in documents), ok[0][0].arrival_ms)
        result.backed_up = len(documents)
        result.s3_objects += 1
    return result


def lines_body(lines: list[str]) -> bytes:
    return ("\n".join(lines) + "\n").encode()


def _write(s3: S3Writer, settings: StreamSettings, target: S3Target, body: bytes, arrival_ms: int,
           error_output_type: str = "", folder: str = "") -> None:
    key = s3.key_for(target, settings.version_id, arrival_ms, error_output_type, folder)
    s3.put(target, key, body)
    LOG.info("stream %s wrote s3://%s/%s", settings.name, target.bucket, key)
