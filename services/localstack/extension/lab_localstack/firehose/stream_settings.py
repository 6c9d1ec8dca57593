"""What the delivery code needs to know about one stream, read from its description.

The description (descriptions.py) is AWS's shape; these small frozen dataclasses
are the delivery code's view of it: buffering, the Lambda processor, the S3
target(s) and the search target.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from lab_localstack.firehose import descriptions as d
from lab_localstack.firehose.format_conversion import ConversionSettings, conversion_settings
from lab_localstack.firehose.partitioning import ProcessorParams, processor_params

MIB = 1024 * 1024
DEFAULT_LAMBDA_RETRIES = 3
DEFAULT_LAMBDA_BUFFER_MB = 1.0
DEFAULT_LAMBDA_INTERVAL = 60


@dataclass(frozen=True)
class S3Target:
    """A bucket and how objects are named and encoded in it."""

    bucket: str
    prefix: str = ""
    error_output_prefix: str = ""
    compression: str = "UNCOMPRESSED"
    file_extension: str = ""
    role_arn: str | None = None


@dataclass(frozen=True)
class LambdaProcessor:
    function_arn: str
    number_of_retries: int = DEFAULT_LAMBDA_RETRIES
    buffer_size_bytes: int = int(DEFAULT_LAMBDA_BUFFER_MB * MIB)
    buffer_interval_s: int = DEFAULT_LAMBDA_INTERVAL


@dataclass(frozen=True)
class SearchTarget:
    """An OpenSearch Service or Elasticsearch destination."""

    flavor: str                    # "OpenSearch" | "Elasticsearch"
    index_name: str
    type_name: str
    rotation: str
    retry_duration_s: int
    backup_mode: str               # "FailedDocumentsOnly" | "AllDocuments"
    cluster_endpoint: str | None
    domain_arn: str | None
    generate_document_ids: bool    # DocumentIdOptions FIREHOSE_DEFAULT (True) or NO_DOCUMENT_ID

    @property
    def failed_folder(self) -> str:
        return "AmazonOpenSearchService-failed" if self.flavor == "OpenSearch" else "elasticsearch-failed"

    @property
    def error_code_prefix(self) -> str:
        return "OS" if self.flavor == "OpenSearch" else "ES"


@dataclass(frozen=True)
class StreamSettings:
    name: str
    arn: str
    account_id: str
    region: str
    version_id: str
    buffer_size_bytes: int
    buffer_interval_s: int
    s3: S3Target                   # the S3 destination, or the search destination's backup bucket
    processor: LambdaProcessor | None = None
    search: SearchTarget | None = None
    source_backup: S3Target | None = None   # ExtendedS3 S3BackupMode=Enabled
    kinesis_stream_arn: str | None = None
    kinesis_start_ms: int | None = None
    processors: ProcessorParams = field(default_factory=ProcessorParams)  # MetadataExtraction, de-aggregation, delimiter
    dynamic_partitioning: bool = False
    conversion: ConversionSettings | None = None

    @property
    def shapes_objects(self) -> bool:
        """Whether S3 objects are built by lake_delivery (partitioned, converted or delimited)."""
        return (self.dynamic_partitioning or self.conversion is not None
                or self.processors.append_delimiter is not None)


def bucket_from_arn(bucket_arn: str) -> str:
    return bucket_arn.split(":::", 1)[-1]


def s3_target(desc: dict) -> S3Target:
    return S3Target(
        bucket=bucket_from_arn(desc["BucketARN"]),
        prefix=desc.get("Prefix") or "",
        error_output_prefix=desc.get("ErrorOutputPrefix") or "",
        compression=desc.get("CompressionFormat") or "UNCOMPRESSED",
        file_extension=desc.get("FileExtension") or "",
        role_arn=desc.get("RoleARN"),
    )


def processor_parameters(processing: dict | None) -> dict[str, str] | None:
    """The Lambda processor's parameters, or None when no processor is enabled."""
    if not processing or not processing.get("Enabled"):
        return None
    for processor in processing.get("Processors") or []:
        if processor.get("Type") == "Lambda":
            return {p["ParameterName"]: p["ParameterValue"] for p in processor.get("Parameters", [])}
    return None


def lambda_processor(processing: dict | None) -> LambdaProcessor | None:
    params = processor_parameters(processing)
    if params is None or "LambdaArn" not in params:
        return None
    return LambdaProcessor(
        function_arn=params["LambdaArn"],
        number_of_retries=int(params.get("NumberOfRetries", DEFAULT_LAMBDA_RETRIES)),
        buffer_size_bytes=int(float(params.get("BufferSizeInMBs", DEFAULT_LAMBDA_BUFFER_MB)) * MIB),
        buffer_interval_s=int(params.get("BufferIntervalInSeconds", DEFAULT_LAMBDA_INTERVAL)),
    )


def stream_settings(account_id: str, region: str, description: dict) -> StreamSettings:
    kind = d.destination_kind(description)
    destination = description["Destinations"][0][kind]
    hints = destination["BufferingHints"]
    source = (description.get("Source") or {}).get("KinesisStreamSourceDescription")
    common = {
        "name": description["DeliveryStreamName"],
        "arn": description["DeliveryStreamARN"],
        "account_id": account_id,
        "region": region,
        "version_id": description["VersionId"],
        "buffer_size_bytes": int(hints["SizeInMBs"]) * MIB,
        "buffer_interval_s": int(hints["IntervalInSeconds"]),
        "processor": lambda_processor(destination.get("ProcessingConfiguration")),
        "processors": processor_params(destination.get("ProcessingConfiguration")),
        "kinesis_stream_arn": source["KinesisStreamARN"] if source else None,
        "kinesis_start_ms": int(source["DeliveryStartTimestamp"].timestamp() * 1000) if source else None,
    }
    if kind == d.EXTENDED_S3:
        backup = None
        if destination.get("S3BackupMode") == "Enabled" and destination.get("S3BackupDescription"):
            backup = s3_target(destination["S3BackupDescription"])
        return StreamSettings(
            s3=s3_target(destination), source_backup=backup,
            dynamic_partitioning=bool((destination.get("DynamicPartitioningConfiguration") or {}).get("Enabled")),
            conversion=conversion_settings(destination.get("DataFormatConversionConfiguration")),
            **common)
    id_options = (destination.get("DocumentIdOptions") or {}).get("DefaultDocumentIdFormat")
    search = SearchTarget(
        flavor="OpenSearch" if kind == d.OPENSEARCH else "Elasticsearch",
        index_name=destination["IndexName"],
        type_name=destination.get("TypeName") or "",
        rotation=destination.get("IndexRotationPeriod") or "OneDay",
        retry_duration_s=int(destination["RetryOptions"].get("DurationInSeconds", d.DEFAULT_RETRY_SECONDS)),
        backup_mode=destination.get("S3BackupMode") or "FailedDocumentsOnly",
        cluster_endpoint=destination.get("ClusterEndpoint"),
        domain_arn=destination.get("DomainARN"),
        generate_document_ids=id_options != "NO_DOCUMENT_ID",
    )
    return StreamSettings(s3=s3_target(destination["S3DestinationDescription"]), search=search, **common)
