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

With RecordDeAggregation, each record is first split into its sub-records. S3
destinations with dynamic partitioning, format conversion or AppendDelimiterToRecord
have their objects built by lake_delivery.

Dropped records are only counted.
"""
from __future__ import annotations

import logging
from dataclasses import replace

from lab_localstack.firehose import error_records
from lab_localstack.firehose.counters import StreamCounters
from lab_localstack.firehose.journal import JournalRecord
from lab_localstack.firehose.lake_delivery import LakeDelivery, LakeRecord
from lab_localstack.firehose.lambda_processor import LambdaTransformer, RecordOutcome
from lab_localstack.firehose.partitioning import deaggregate
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
    lake: LakeDelivery | None = None,
) -> StreamCounters:
    """Deliver one batch; returns how many of its records ended where (the stream's
    counters are the sum of its batches')."""
    result = StreamCounters()
    source_batch = batch
    if settings.processors.deaggregation:
        batch = split_records(batch, settings.processors.deaggregation, settings.processors.deaggregation_delimiter)
        result.deaggregated = len(batch) - len(source_batch)
    if transformer is not None:
        outcomes = transformer.transform(batch)
    else:
        outcomes = [RecordOutcome("Ok", data=record.data) for record in batch]

    ok = [(record, outcome.data) for record, outcome in zip(batch, outcomes) if outcome.result == "Ok"]
    metadata = [outcome.metadata for outcome in outcomes if outcome.result == "Ok"]
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
        if ok and lake is not None:
            result.add(lake.deliver([LakeRecord(r, data, meta) for (r, data), meta in zip(ok, metadata)]))
        elif ok:
            _write(s3, settings, settings.s3, b"".join(data for _, data in ok), ok[0][0].arrival_ms)
            result.delivered = len(ok)
            result.s3_objects += 1
        if settings.source_backup is not None and source_batch:
            _write(s3, settings, settings.source_backup, b"".join(r.data for r in source_batch),
                   source_batch[0].arrival_ms)
            result.backed_up = len(source_batch)
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


def split_records(batch: list[JournalRecord], sub_record_type: str, delimiter: bytes) -> list[JournalRecord]:
    """RecordDeAggregation: each record's sub-records, with the record's arrival time and metadata."""
    out = []
    for record in batch:
        parts = deaggregate(record.data, sub_record_type, delimiter)
        if len(parts) == 1:
            out.append(record)
            continue
        out += [replace(record, record_id=f"{record.record_id}.{i}", data=part) for i, part in enumerate(parts)]
    return out


def lines_body(lines: list[str]) -> bytes:
    return ("\n".join(lines) + "\n").encode()


def _write(s3: S3Writer, settings: StreamSettings, target: S3Target, body: bytes, arrival_ms: int,
           error_output_type: str = "", folder: str = "") -> None:
    key = s3.key_for(target, settings.version_id, arrival_ms, error_output_type, folder)
    s3.put(target, key, body)
    LOG.info("stream %s wrote s3://%s/%s", settings.name, target.bucket, key)
