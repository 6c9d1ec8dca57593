"""AWS's request validation for the Firehose API: names, limits and configurations.

Messages and exception types follow AWS: malformed input is a ValidationException
("1 validation error detected: ..."), inconsistent configuration an
InvalidArgumentException.
"""
from __future__ import annotations

import re

from localstack.aws.api.firehose import InvalidArgumentException

from lab_localstack.aws_api import FIREHOSE
from lab_localstack.firehose import descriptions as d
from lab_localstack.firehose import lake_validation as dl
from lab_localstack.firehose.index_rotation import ROTATION_PERIODS

MAX_RECORDS_PER_BATCH = 500
MAX_RECORD_BYTES = 1000 * 1024
MAX_BATCH_BYTES = 4 * 1024 * 1024
MAX_TAGS = 50
_NAME = re.compile(r"^[a-zA-Z0-9_.-]{1,64}$")
SUPPORTED_COMPRESSION = ("UNCOMPRESSED", "GZIP", "ZIP")


def check_stream_name(name: str) -> None:
    if not name or not _NAME.match(name):
        raise FIREHOSE.validation_error(
            f"Value '{name}' at 'deliveryStreamName' failed to satisfy constraint: Member must satisfy "
            "regular expression pattern: [a-zA-Z0-9_.-]+ and have length between 1 and 64"
        )


def check_record(data: bytes, where: str = "record.data") -> None:
    if len(data) > MAX_RECORD_BYTES:
        raise FIREHOSE.validation_error(
            f"Value at '{where}' failed to satisfy constraint: Member must have length less than or "
            f"equal to {MAX_RECORD_BYTES}"
        )


def check_batch(records: list[dict]) -> None:
    if len(records) > MAX_RECORDS_PER_BATCH:
        raise FIREHOSE.validation_error(
            f"Value at 'records' failed to satisfy constraint: Member must have length less than or "
            f"equal to {MAX_RECORDS_PER_BATCH}"
        )
    if not records:
        raise FIREHOSE.validation_error("Value at 'records' failed to satisfy constraint: Member must have length "
                               "greater than or equal to 1")
    total = 0
    for position, record in enumerate(records):
        check_record(record["Data"], f"records.{position + 1}.member.data")
        total += len(record["Data"])
    if total > MAX_BATCH_BYTES:
        raise InvalidArgumentException(
            f"Records size exceeds {MAX_BATCH_BYTES // (1024 * 1024)} MB limit (got {total} bytes)")


def _check_range(value, low, high, field: str) -> None:
    if value is None:
        return
    if not (low <= float(value) <= high):
        raise InvalidArgumentException(f"{field} must be between {low} and {high}, got {value}")


def check_processing(processing: dict | None) -> None:
    if not processing or not processing.get("Enabled"):
        return
    for processor in processing.get("Processors") or []:
        kind = processor.get("Type")
        params = {p["ParameterName"]: p["ParameterValue"] for p in processor.get("Parameters", [])}
        if kind in dl.PARTITIONING_PROCESSORS:
            dl.check_partitioning_processor(kind, params)
            continue
        if kind != "Lambda":
            raise InvalidArgumentException(f"Processor type {kind} is not supported by the lab")
        if "LambdaArn" not in params:
            raise InvalidArgumentException("LambdaArn processor parameter is required for Lambda processor")
        _check_range(params.get("NumberOfRetries"), 0, 300, "NumberOfRetries")
        _check_range(params.get("BufferSizeInMBs"), 0.2, 3, "BufferSizeInMBs")
        _check_range(params.get("BufferIntervalInSeconds"), 0, 900, "BufferIntervalInSeconds")


def check_s3(config: dict, field: str, max_size_mb: int = 128, lake_rules: bool = False) -> None:
    if not config.get("BucketARN", "").startswith("arn:"):
        raise InvalidArgumentException(f"{field}.BucketARN must be an S3 bucket ARN")
    hints = config.get("BufferingHints") or {}
    _check_range(hints.get("SizeInMBs"), 1, max_size_mb, f"{field}.BufferingHints.SizeInMBs")
    _check_range(hints.get("IntervalInSeconds"), 0, 900, f"{field}.BufferingHints.IntervalInSeconds")
    compression = config.get("CompressionFormat", "UNCOMPRESSED")
    if compression not in SUPPORTED_COMPRESSION:
        raise InvalidArgumentException(f"CompressionFormat {compression} is not supported by the lab "
                                       f"(supported: {', '.join(SUPPORTED_COMPRESSION)})")
    prefix = config.get("Prefix") or ""
    error_prefix = config.get("ErrorOutputPrefix") or ""
    if "!{" in prefix and not error_prefix and not lake_rules:
        raise InvalidArgumentException(
            "ErrorOutputPrefix cannot be null or empty when Prefix contains expressions")


def check_destination(kind: str, config: dict) -> None:
    """Validate one destination configuration (create-time shape)."""
    if kind == d.EXTENDED_S3:
        check_s3(config, "ExtendedS3DestinationConfiguration", lake_rules=True)
        check_processing(config.get("ProcessingConfiguration"))
        dl.check_lake_destination(config)
        if config.get("S3BackupMode") == "Enabled" and not config.get("S3BackupConfiguration"):
            raise InvalidArgumentException("S3BackupConfiguration is required when S3BackupMode is Enabled")
        return
    field = "AmazonopensearchserviceDestinationConfiguration" if kind == d.OPENSEARCH \
        else "ElasticsearchDestinationConfiguration"
    if not config.get("IndexName"):
        raise InvalidArgumentException(f"{field}.IndexName is required")
    if bool(config.get("ClusterEndpoint")) == bool(config.get("DomainARN")):
        raise InvalidArgumentException(f"{field}: specify either ClusterEndpoint or DomainARN")
    if not config.get("S3Configuration"):
        raise InvalidArgumentException(f"{field}.S3Configuration is required")
    check_s3(config["S3Configuration"], f"{field}.S3Configuration")
    hints = config.get("BufferingHints") or {}
    _check_range(hints.get("SizeInMBs"), 1, 100, f"{field}.BufferingHints.SizeInMBs")
    _check_range(hints.get("IntervalInSeconds"), 0, 900, f"{field}.BufferingHints.IntervalInSeconds")
    _check_range((config.get("RetryOptions") or {}).get("DurationInSeconds"), 0, 7200,
                 f"{field}.RetryOptions.DurationInSeconds")
    rotation = config.get("IndexRotationPeriod")
    if rotation is not None and rotation not in ROTATION_PERIODS:
        raise InvalidArgumentException(f"IndexRotationPeriod {rotation} is not one of {ROTATION_PERIODS}")
    if config.get("S3BackupMode", "FailedDocumentsOnly") not in ("FailedDocumentsOnly", "AllDocuments"):
        raise InvalidArgumentException(f"S3BackupMode {config.get('S3BackupMode')} is invalid")
    check_processing(config.get("ProcessingConfiguration"))


def check_tags(tags: list[dict] | None) -> None:
    if tags and len(tags) > MAX_TAGS:
        raise FIREHOSE.validation_error(
            f"Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to {MAX_TAGS}")


def check_updated_destination(before: dict, after: dict) -> None:
    """AWS's rules on the merged ExtendedS3 destination after UpdateDestination."""
    if d.destination_kind(after) != d.EXTENDED_S3:
        return
    was = d.destination_kind(before) == d.EXTENDED_S3 and bool(
        (before["Destinations"][0][d.EXTENDED_S3].get("DynamicPartitioningConfiguration") or {}).get("Enabled"))
    dl.check_lake_destination(after["Destinations"][0][d.EXTENDED_S3], created_with_partitioning=was)
