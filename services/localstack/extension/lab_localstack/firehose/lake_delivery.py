"""S3 objects for the data lake: dynamic partitioning, format conversion, record delimiters.

For one batch of transformed (Ok) records of an ExtendedS3 stream:
1. dynamic partitioning: each record's keys (MetadataExtraction jq query, Lambda
   `metadata.partitionKeys`) evaluate the Prefix; records with the same evaluated
   prefix share a buffer, and each buffer becomes one object. Records whose keys
   cannot be extracted go to ErrorOutputPrefix (`metadata-extraction-failed`);
   records of partitions beyond the active-partition limit (500 by default) to
   `activePartitionExceeded`;
2. format conversion: each buffer's records become one Parquet/ORC object with the
   Glue table's columns (`.parquet`/`.orc` unless FileExtension says otherwise);
   records that do not fit go to `format-conversion-failed`;
3. otherwise the records are concatenated, each followed by the
   AppendDelimiterToRecord delimiter when that processor is configured.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field

from lab_localstack.firehose import environment, error_records, s3_keys
from lab_localstack.firehose.clock import now_ms
from lab_localstack.firehose.counters import StreamCounters
from lab_localstack.firehose.error_records import ProcessingFailure
from lab_localstack.firehose.format_conversion import (
    INVALID_SCHEMA,
    MALFORMED_DATA,
    RowBuilder,
    write_rows,
)
from lab_localstack.firehose.glue_schema import GlueSchemas, SchemaUnavailable
from lab_localstack.firehose.glue_types import ConversionError
from lab_localstack.firehose.journal import JournalRecord
from lab_localstack.firehose.partitioning import (
    ACTIVE_PARTITIONS_EXCEEDED,
    ACTIVE_PARTITIONS_FOLDER,
    METADATA_EXTRACTION_FAILED,
    METADATA_EXTRACTION_FOLDER,
    PartitionKeyError,
    PartitionKeys,
    compile_query,
    keys_from_lambda,
    keys_from_query,
    record_keys,
)
from lab_localstack.firehose.s3_writer import S3Writer
from lab_localstack.firehose.stream_settings import StreamSettings

LOG = logging.getLogger(__name__)

FORMAT_CONVERSION_FAILED = "format-conversion-failed"
ACTIVE_PARTITIONS_MESSAGE = "The number of active partitions exceeded the limit of the delivery stream"


@dataclass
class LakeRecord:
    """A transformed record on its way to S3."""

    source: JournalRecord
    data: bytes
    metadata: dict | None = None


@dataclass
class Partition:
    keys: PartitionKeys | None
    records: list[LakeRecord] = field(default_factory=list)


class LakeDelivery:
    """Builds and writes a stream's partitioned / converted objects (one per stream's settings)."""

    def __init__(self, settings: StreamSettings, s3: S3Writer, schemas: GlueSchemas | None = None):
        self.settings = settings
        self._s3 = s3
        self._schemas = schemas
        self._query = compile_query(settings.processors.metadata_query) \
            if settings.dynamic_partitioning and settings.processors.metadata_query else None

    # --- partitioning ------------------------------------------------------------------
    def _keys(self, record: LakeRecord) -> PartitionKeys:
        query_keys = keys_from_query(self._query, record.data) if self._query is not None else {}
        keys = record_keys(query_keys, keys_from_lambda(record.metadata))
        for namespace, name in s3_keys.partition_expressions(self.settings.s3.prefix):
            keys.lookup(namespace, name)
        return keys

    def partitions(self, records: list[LakeRecord], result: StreamCounters) -> list[Partition]:
        if not self.settings.dynamic_partitioning:
            return [Partition(None, records)] if records else []
        by_keys: dict[PartitionKeys, Partition] = {}
        failed: list[tuple[LakeRecord, str]] = []
        overflow: list[LakeRecord] = []
        limit = environment.current().active_partitions
        for record in records:
            try:
                keys = self._keys(record)
            except PartitionKeyError as error:
                failed.append((record, str(error)))
                continue
            if keys not in by_keys and len(by_keys) >= limit:
                overflow.append(record)
                continue
            by_keys.setdefault(keys, Partition(keys)).records.append(record)
        if failed:
            self._write_partitioning_errors(
                [(r, ProcessingFailure(METADATA_EXTRACTION_FAILED, message, 1, now_ms())) for r, message in failed],
                METADATA_EXTRACTION_FOLDER, result)
        if overflow:
            ending = now_ms()
            self._write_partitioning_errors(
                [(r, ProcessingFailure(ACTIVE_PARTITIONS_EXCEEDED, ACTIVE_PARTITIONS_MESSAGE, 1, ending))
                 for r in overflow], ACTIVE_PARTITIONS_FOLDER, result)
            LOG.warning("stream %s: %d records beyond the limit of %d active partitions went to the "
                        "error output", self.settings.name, len(overflow), limit)
        return list(by_keys.values())

    def _write_partitioning_errors(self, failures: list[tuple[LakeRecord, ProcessingFailure]], folder: str,
                                   result: StreamCounters) -> None:
        lines = [error_records.partitioning_failed_line(r.source.arrival_ms, r.data, f) for r, f in failures]
        self._put_error(lines, failures[0][0].source.arrival_ms, folder)
        result.partitioning_failed += len(failures)
        result.s3_objects += 1

    def _put_error(self, lines: list[str], arrival_ms: int, folder: str) -> None:
        target = self.settings.s3
        key = self._s3.key_for(target, self.settings.version_id, arrival_ms, folder)
        self._s3.put(target, key, ("\n".join(lines) + "\n").encode())
        LOG.info("stream %s wrote s3://%s/%s", self.settings.name, target.bucket, key)

    # --- objects -----------------------------------------------------------------------
    def deliver(self, records: list[LakeRecord]) -> StreamCounters:
        """Write the records' objects (and error objects); the batch's counts."""
        result = StreamCounters()
        for partition in self.partitions(records, result):
            if self.settings.conversion is not None:
                body, delivered = self._converted(partition.records, result)
                extension = self.settings.conversion.extension
            else:
                delimiter = self.settings.processors.append_delimiter or b""
                body = b"".join(r.data + delimiter for r in partition.records)
                delivered, extension = len(partition.records), None
            if not delivered:
                continue
            target = self.settings.s3
            key = self._s3.key_for(target, self.settings.version_id, partition.records[0].source.arrival_ms,
                                   partition_keys=partition.keys, default_extension=extension)
            self._s3.put(target, key, body)
            LOG.info("stream %s wrote s3://%s/%s", self.settings.name, target.bucket, key)
            result.delivered += delivered
            result.s3_objects += 1
        return result

    def _converted(self, records: list[LakeRecord], result: StreamCounters) -> tuple[bytes, int]:
        conversion = self.settings.conversion
        try:
            schema = self._schemas.schema(conversion)
        except SchemaUnavailable as error:
            self._conversion_failed([(r, INVALID_SCHEMA, str(error)) for r in records],
                                    self._schemas.placeholder_table(conversion), result)
            return b"", 0
        builder = RowBuilder(schema.columns, conversion.deserializer)
        rows, failed, converted = [], [], 0
        for record in records:
            try:
                rows += builder.rows(record.data)
                converted += 1
            except ConversionError as error:
                failed.append((record, MALFORMED_DATA, str(error)))
        if failed:
            self._conversion_failed(failed, schema.table, result)
        if not rows:
            return b"", 0
        return write_rows(rows, builder.schema, conversion.serializer), converted

    def _conversion_failed(self, failed: list[tuple[LakeRecord, str, str]], table, result: StreamCounters) -> None:
        ending = now_ms()
        lines = [error_records.format_conversion_failed_line(
            r.source.arrival_ms, r.data, ProcessingFailure(code, message, 1, ending), table, r.source.kinesis_meta)
            for r, code, message in failed]
        self._put_error(lines, failed[0][0].source.arrival_ms, FORMAT_CONVERSION_FAILED)
        result.format_conversion_failed += len(failed)
        result.s3_objects += 1
