"""Delivery stream descriptions: built from CreateDeliveryStream / UpdateDestination input.

AWS's DescribeDeliveryStream shows every default it applied (buffering hints,
retry options, rotation, compression...). We fill those defaults here, once, so
the description is both what Describe returns and what the delivery code reads.
"""
from __future__ import annotations

import copy
from datetime import UTC, datetime

from localstack.aws.api.firehose import DeliveryStreamDescription, DeliveryStreamType

from lab_localstack.firehose.lake_validation import LAKE_DEFAULT_SIZE_MB, lake_enabled

DESTINATION_ID = "destinationId-000000000001"

EXTENDED_S3 = "ExtendedS3DestinationDescription"
PLAIN_S3 = "S3DestinationDescription"
OPENSEARCH = "AmazonopensearchserviceDestinationDescription"
ELASTICSEARCH = "ElasticsearchDestinationDescription"

# Create-time argument name -> description key of the destination it configures.
CONFIGURATION_KINDS = {
    "extended_s3_destination_configuration": EXTENDED_S3,
    "s3_destination_configuration": EXTENDED_S3,  # the deprecated plain S3 destination
    "amazonopensearchservice_destination_configuration": OPENSEARCH,
    "elasticsearch_destination_configuration": ELASTICSEARCH,
}
UPDATE_KINDS = {
    "extended_s3_destination_update": EXTENDED_S3,
    "s3_destination_update": EXTENDED_S3,
    "amazonopensearchservice_destination_update": OPENSEARCH,
    "elasticsearch_destination_update": ELASTICSEARCH,
}
UNSUPPORTED_KINDS = (
    "redshift_destination_configuration", "splunk_destination_configuration",
    "http_endpoint_destination_configuration", "snowflake_destination_configuration",
    "iceberg_destination_configuration", "amazon_open_search_serverless_destination_configuration",
    "msk_source_configuration", "database_source_configuration",
)

S3_DEFAULT_BUFFERING = {"SizeInMBs": 5, "IntervalInSeconds": 300}
SEARCH_DEFAULT_BUFFERING = {"SizeInMBs": 5, "IntervalInSeconds": 300}
DEFAULT_RETRY_SECONDS = 300


def s3_description(config: dict) -> dict:
    """An S3 (backup or destination) description with AWS's defaults."""
    desc = copy.deepcopy(config)
    desc.setdefault("Prefix", "")
    desc.setdefault("BufferingHints", dict(S3_DEFAULT_BUFFERING))
    desc["BufferingHints"] = {**S3_DEFAULT_BUFFERING, **desc["BufferingHints"]}
    desc.setdefault("CompressionFormat", "UNCOMPRESSED")
    desc.setdefault("EncryptionConfiguration", {"NoEncryptionConfig": "NoEncryption"})
    desc.setdefault("CloudWatchLoggingOptions", {"Enabled": False})
    return desc


def extended_s3_description(config: dict) -> dict:
    given = {k: v for k, v in config.items() if k != "S3BackupConfiguration"}
    if lake_enabled(config) and "SizeInMBs" not in (config.get("BufferingHints") or {}):
        # With dynamic partitioning or format conversion AWS's default buffer is 128 MiB.
        given["BufferingHints"] = {**(config.get("BufferingHints") or {}), "SizeInMBs": LAKE_DEFAULT_SIZE_MB}
    desc = s3_description(given)
    dynamic = desc.get("DynamicPartitioningConfiguration")
    if dynamic and dynamic.get("Enabled"):
        dynamic.setdefault("RetryOptions", {"DurationInSeconds": DEFAULT_RETRY_SECONDS})
    conversion = desc.get("DataFormatConversionConfiguration")
    if conversion:
        conversion.setdefault("Enabled", True)
        conversion.setdefault("SchemaConfiguration", {}).setdefault("VersionId", "LATEST")
    desc.setdefault("S3BackupMode", "Disabled")
    desc.setdefault("ProcessingConfiguration", {"Enabled": False, "Processors": []})
    if config.get("S3BackupConfiguration"):
        desc["S3BackupDescription"] = s3_description(config["S3BackupConfiguration"])
    return desc


def search_description(config: dict) -> dict:
    """OpenSearch / Elasticsearch destination description with AWS's defaults."""
    desc = {k: copy.deepcopy(v) for k, v in config.items()
            if k not in ("S3Configuration", "VpcConfiguration")}
    desc["BufferingHints"] = {**SEARCH_DEFAULT_BUFFERING, **desc.get("BufferingHints", {})}
    desc.setdefault("IndexRotationPeriod", "OneDay")
    desc.setdefault("RetryOptions", {"DurationInSeconds": DEFAULT_RETRY_SECONDS})
    desc.setdefault("S3BackupMode", "FailedDocumentsOnly")
    desc.setdefault("ProcessingConfiguration", {"Enabled": False, "Processors": []})
    desc.setdefault("CloudWatchLoggingOptions", {"Enabled": False})
    if config.get("S3Configuration"):
        desc["S3DestinationDescription"] = s3_description(config["S3Configuration"])
    return desc


def destination_description(kind: str, config: dict) -> dict:
    """A DestinationDescription entry for a create-time configuration."""
    entry: dict = {"DestinationId": DESTINATION_ID}
    if kind == EXTENDED_S3:
        extended = extended_s3_description(config)
        entry[EXTENDED_S3] = extended
        # AWS also shows the plain S3 view of an extended S3 destination.
        entry[PLAIN_S3] = {k: extended[k] for k in (
            "RoleARN", "BucketARN", "Prefix", "ErrorOutputPrefix", "BufferingHints",
            "CompressionFormat", "EncryptionConfiguration", "CloudWatchLoggingOptions",
        ) if k in extended}
    else:
        entry[kind] = search_description(config)
    return entry


def new_description(
    name: str,
    arn: str,
    stream_type: str,
    kind: str,
    config: dict,
    kinesis_source: dict | None,
) -> DeliveryStreamDescription:
    now = datetime.now(UTC)
    description: dict = {
        "DeliveryStreamName": name,
        "DeliveryStreamARN": arn,
        "DeliveryStreamStatus": "ACTIVE",
        "DeliveryStreamType": stream_type,
        "VersionId": "1",
        "CreateTimestamp": now,
        "DeliveryStreamEncryptionConfiguration": {"Status": "DISABLED"},
        "Destinations": [destination_description(kind, config)],
        "HasMoreDestinations": False,
    }
    if stream_type == DeliveryStreamType.KinesisStreamAsSource and kinesis_source:
        description["Source"] = {
            "KinesisStreamSourceDescription": {
                "KinesisStreamARN": kinesis_source["KinesisStreamARN"],
                "RoleARN": kinesis_source.get("RoleARN", ""),
                "DeliveryStartTimestamp": now,
            }
        }
    return description


def destination_kind(description: dict) -> str:
    destination = description["Destinations"][0]
    for kind in (OPENSEARCH, ELASTICSEARCH, EXTENDED_S3):
        if kind in destination:
            return kind
    raise ValueError(f"stream {description['DeliveryStreamName']} has no supported destination")


def apply_update(description: dict, kind: str, update: dict) -> None:
    """Merge an UpdateDestination payload into the description (in place)."""
    destination = description["Destinations"][0]
    current_kind = destination_kind(description)
    if kind != current_kind:
        # Switching destination type: the update is the whole new configuration.
        config = dict(update)
        if "S3Update" in config:
            config["S3Configuration"] = config.pop("S3Update")
        if "S3BackupUpdate" in config:
            config["S3BackupConfiguration"] = config.pop("S3BackupUpdate")
        description["Destinations"] = [destination_description(kind, config)]
    elif kind == EXTENDED_S3:
        target = destination[EXTENDED_S3]
        for key, value in update.items():
            if key == "S3BackupUpdate":
                target["S3BackupDescription"] = s3_description(
                    {**target.get("S3BackupDescription", {}), **value})
            elif key == "BufferingHints":
                target[key] = {**target.get(key, {}), **value}
            else:
                target[key] = copy.deepcopy(value)
        destination[PLAIN_S3] = {k: target[k] for k in destination[PLAIN_S3] if k in target}
    else:
        target = destination[kind]
        for key, value in update.items():
            if key == "S3Update":
                target["S3DestinationDescription"] = s3_description(
                    {**target.get("S3DestinationDescription", {}), **value})
            elif key == "BufferingHints":
                target[key] = {**target.get(key, {}), **value}
            else:
                target[key] = copy.deepcopy(value)
    description["VersionId"] = str(int(description["VersionId"]) + 1)
    description["LastUpdateTimestamp"] = datetime.now(UTC)
