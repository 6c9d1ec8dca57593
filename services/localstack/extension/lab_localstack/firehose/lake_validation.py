"""AWS's rules for the data-lake features of ExtendedS3: dynamic partitioning and format conversion.

Dynamic partitioning (developer guide, "Dynamic partitioning"): ErrorOutputPrefix is
required; the Prefix must use at least one partitionKeyFromQuery / partitionKeyFromLambda
expression, each backed by its method (MetadataExtraction processor with a JQ-1.6 query,
or a Lambda processor); the buffer is at least 64 MiB and zero buffering is not
available (at least 60 s); RetryOptions 0-7200 s; it cannot be enabled later on a
stream created without it. Format conversion: a Glue table, one deserializer and one
serializer with the API's enums and minimums, a buffer of at least 64 MiB, and no S3
compression (the serializer compresses).
"""
from __future__ import annotations

from localstack.aws.api.firehose import InvalidArgumentException

from lab_localstack.aws_api import FIREHOSE
from lab_localstack.firehose import partitioning, s3_keys

PARTITIONING_PROCESSORS = ("MetadataExtraction", "RecordDeAggregation", "AppendDelimiterToRecord")
MIN_LAKE_BUFFER_MB = 64
MIN_PARTITIONING_INTERVAL_S = 60
LAKE_DEFAULT_SIZE_MB = 128
_PARQUET = {"Compression": ("UNCOMPRESSED", "GZIP", "SNAPPY"), "WriterVersion": ("V1", "V2")}
_PARQUET_MINIMUMS = {"BlockSizeBytes": 64 * 1024 * 1024, "PageSizeBytes": 64 * 1024, "MaxPaddingBytes": 0}
_ORC = {"Compression": ("NONE", "ZLIB", "SNAPPY"), "FormatVersion": ("V0_11", "V0_12")}
_ORC_MINIMUMS = {"BlockSizeBytes": 64 * 1024 * 1024, "StripeSizeBytes": 8 * 1024 * 1024,
                 "RowIndexStride": 1000, "DictionaryKeyThreshold": 0, "PaddingTolerance": 0}


def _enum_error(value, field: str, allowed) -> Exception:
    return FIREHOSE.validation_error(f"Value '{value}' at '{field}' failed to satisfy constraint: Member must "
                                     f"satisfy enum value set: [{', '.join(allowed)}]")


def check_partitioning_processor(kind: str, params: dict[str, str]) -> None:
    if kind == "MetadataExtraction":
        query = params.get("MetadataExtractionQuery")
        if not query:
            raise InvalidArgumentException("MetadataExtractionQuery processor parameter is required for "
                                           "MetadataExtraction processor")
        if params.get("JsonParsingEngine") != partitioning.JSON_PARSING_ENGINE:
            raise InvalidArgumentException(
                f"JsonParsingEngine processor parameter must be {partitioning.JSON_PARSING_ENGINE} for "
                "MetadataExtraction processor")
        try:
            partitioning.compile_query(query)
        except ValueError as error:
            raise InvalidArgumentException(f"MetadataExtractionQuery is not a valid jq query: {error}") from None
    elif kind == "RecordDeAggregation":
        sub_type = params.get("SubRecordType", "JSON")
        if sub_type not in ("JSON", "DELIMITED"):
            raise _enum_error(sub_type, "SubRecordType", ("JSON", "DELIMITED"))
        if sub_type == "DELIMITED" and not params.get("Delimiter"):
            raise InvalidArgumentException("Delimiter processor parameter is required when SubRecordType "
                                           "is DELIMITED")
    if params.get("Delimiter"):
        try:
            partitioning.decode_delimiter(params["Delimiter"], "Delimiter")
        except ValueError as error:
            raise InvalidArgumentException(str(error)) from None


def _processor_types(config: dict) -> set[str]:
    processing = config.get("ProcessingConfiguration") or {}
    if not processing.get("Enabled"):
        return set()
    return {p.get("Type") for p in processing.get("Processors") or []}


def _check_buffer(config: dict, feature: str, min_interval: int = 0) -> None:
    hints = config.get("BufferingHints") or {}
    size = hints.get("SizeInMBs")
    if size is not None and size < MIN_LAKE_BUFFER_MB:
        raise InvalidArgumentException(
            f"BufferingHints.SizeInMBs must be at least {MIN_LAKE_BUFFER_MB} when {feature} is enabled.")
    interval = hints.get("IntervalInSeconds")
    if min_interval and interval is not None and interval < min_interval:
        raise InvalidArgumentException(
            f"BufferingHints.IntervalInSeconds must be at least {min_interval} when {feature} is enabled "
            "(zero buffering is not available for dynamic partitioning).")


def _check_partitioning(config: dict, created_with_it: bool | None) -> None:
    dynamic = config.get("DynamicPartitioningConfiguration") or {}
    enabled = bool(dynamic.get("Enabled"))
    prefix = config.get("Prefix") or ""
    expressions = s3_keys.partition_expressions(prefix)
    types = _processor_types(config)
    if not enabled:
        if expressions:
            raise InvalidArgumentException(
                "Prefix cannot contain partitionKeyFromQuery or partitionKeyFromLambda namespaces when "
                "dynamic partitioning is not enabled.")
        if "MetadataExtraction" in types:
            raise InvalidArgumentException("MetadataExtraction processor is only supported when dynamic "
                                           "partitioning is enabled.")
        return
    if created_with_it is False:
        raise InvalidArgumentException("Dynamic partitioning cannot be enabled on an existing delivery stream "
                                       "that was created without it.")
    if not config.get("ErrorOutputPrefix"):
        raise InvalidArgumentException("ErrorOutputPrefix cannot be null or empty when dynamic partitioning "
                                       "is enabled.")
    if not expressions:
        raise InvalidArgumentException(
            "Prefix must contain at least one partitionKeyFromQuery or partitionKeyFromLambda namespace "
            "when dynamic partitioning is enabled.")
    if "MetadataExtraction" not in types and "Lambda" not in types:
        raise InvalidArgumentException("Dynamic partitioning requires a MetadataExtraction (inline parsing) "
                                       "or a Lambda processor to extract partition keys.")
    for namespace, key in expressions:
        needed = "MetadataExtraction" if namespace == "partitionKeyFromQuery" else "Lambda"
        if needed not in types:
            raise InvalidArgumentException(
                f"Prefix uses !{{{namespace}:{key}}} but no {needed} processor is configured.")
    _check_buffer(config, "dynamic partitioning", MIN_PARTITIONING_INTERVAL_S)
    duration = (dynamic.get("RetryOptions") or {}).get("DurationInSeconds")
    if duration is not None and not 0 <= duration <= 7200:
        raise InvalidArgumentException(
            f"DynamicPartitioningConfiguration.RetryOptions.DurationInSeconds must be between 0 and 7200, "
            f"got {duration}")


def _check_serde(serde: dict, where: str, enums: dict, minimums: dict) -> None:
    for name, allowed in enums.items():
        if name in serde and serde[name] not in allowed:
            raise _enum_error(serde[name], f"{where}.{name}", allowed)
    for name, minimum in minimums.items():
        if name in serde and serde[name] < minimum:
            raise InvalidArgumentException(f"{where}.{name} must be at least {minimum}, got {serde[name]}")


def _check_conversion(config: dict) -> None:
    conversion = config.get("DataFormatConversionConfiguration")
    if not conversion or conversion.get("Enabled") is False:
        return
    field = "DataFormatConversionConfiguration"
    schema = conversion.get("SchemaConfiguration") or {}
    for required in ("DatabaseName", "TableName", "RoleARN"):
        if not schema.get(required):
            raise InvalidArgumentException(f"{field}.SchemaConfiguration.{required} is required when data "
                                           "format conversion is enabled.")
    deserializers = ((conversion.get("InputFormatConfiguration") or {}).get("Deserializer") or {})
    if len([k for k in ("OpenXJsonSerDe", "HiveJsonSerDe") if k in deserializers]) != 1:
        raise InvalidArgumentException(f"{field}.InputFormatConfiguration.Deserializer must specify exactly "
                                       "one of OpenXJsonSerDe or HiveJsonSerDe.")
    serializers = ((conversion.get("OutputFormatConfiguration") or {}).get("Serializer") or {})
    if len([k for k in ("ParquetSerDe", "OrcSerDe") if k in serializers]) != 1:
        raise InvalidArgumentException(f"{field}.OutputFormatConfiguration.Serializer must specify exactly "
                                       "one of ParquetSerDe or OrcSerDe.")
    if "ParquetSerDe" in serializers:
        _check_serde(serializers["ParquetSerDe"] or {}, "ParquetSerDe", _PARQUET, _PARQUET_MINIMUMS)
    else:
        _check_serde(serializers["OrcSerDe"] or {}, "OrcSerDe", _ORC, _ORC_MINIMUMS)
    if (config.get("CompressionFormat") or "UNCOMPRESSED") != "UNCOMPRESSED":
        raise InvalidArgumentException("CompressionFormat must be UNCOMPRESSED when data format conversion is "
                                       "enabled; the serializer's Compression applies instead.")
    _check_buffer(config, "data format conversion")


def check_lake_destination(config: dict, created_with_partitioning: bool | None = None) -> None:
    """Validate an ExtendedS3 configuration (or merged description) against AWS's lake rules.

    `created_with_partitioning` is None at create time, else whether the stream had it."""
    _check_partitioning(config, created_with_partitioning)
    _check_conversion(config)
    enabled = (config.get("DynamicPartitioningConfiguration") or {}).get("Enabled")
    if not enabled and "!{" in (config.get("Prefix") or "") and not config.get("ErrorOutputPrefix"):
        raise InvalidArgumentException("ErrorOutputPrefix cannot be null or empty when Prefix contains expressions")


def lake_enabled(config: dict) -> bool:
    """Whether dynamic partitioning or format conversion is on (their default buffer is 128 MiB)."""
    conversion = config.get("DataFormatConversionConfiguration") or {}
    return bool((config.get("DynamicPartitioningConfiguration") or {}).get("Enabled")) or \
        bool(conversion and conversion.get("Enabled", True))
