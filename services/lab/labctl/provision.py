"""Idempotent provisioning of the lab's AWS resources in LocalStack.

One program for both runtimes (the compose `setup` service and native mode):
the backup bucket, the IAM roles, the `apache_ETL` Lambda from `make lambda`'s
zip, the Firehose `webserver_stream` exactly as the workshop configures it
(Direct PUT, Lambda processor, OpenSearch index `apache`, no rotation, S3
backup of all records under `apache_`, 1 MB / 60 s), and the sibling labs'
Kinesis stream `web-access-log` with a delivery stream archiving it to S3, and
the data lake: the Glue database `clickstream` with a crawler over the backup.
With GeoIP (labctl.geoip), the city database goes to the bucket under `geoip/` and
the Lambda's environment names it (ETL_GEOIP_DATABASES).
Running it again changes only what differs.
"""
from __future__ import annotations

import base64
import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path

import requests
from botocore.exceptions import ClientError
from opensearchpy.exceptions import ConnectionError as OpenSearchConnectionError

from labctl import aws_clients, data_lake, localstack_native, streaming_sql
from labctl import settings as lab
from labctl.errors import MissingPrerequisite
from labctl.waiting import wait_until

LOG = logging.getLogger(__name__)

FIREHOSE_ROLE = "firehose_delivery_role"
LAMBDA_ROLE = "lambda_basic_execution"
LAMBDA_RUNTIME = "python3.13"
LAMBDA_TIMEOUT_S = 60  # the workshop's 1 minute
LAMBDA_MEMORY_MB = 256
# The reader maps the city database (60-130 MB) into memory; its pages count as the
# function's memory, as on AWS, so GeoIP needs more room.
LAMBDA_MEMORY_MB_GEOIP = 512


@dataclass(frozen=True)
class ProvisionTarget:
    localstack_url: str
    opensearch_url: str          # as LocalStack's Firehose reaches OpenSearch
    lambda_zip: Path
    buffer_interval: int = 60
    buffer_size_mb: int = 1
    retry_duration: int = 300
    geoip_files: tuple[Path, ...] = ()  # .mmdb files for the ETL; empty: GeoIP off
    lambda_handler: str = lab.DEFAULT_LAMBDA_HANDLER
    backup_mode: str = "AllDocuments"   # the stream's S3BackupMode (fixed once created, as on AWS)

    @classmethod
    def from_settings(cls, settings: lab.LabSettings, **overrides) -> ProvisionTarget:
        """The target `settings` describe (URLs as this process reaches the lab), with `overrides`."""
        from labctl import geoip

        fields = {
            "localstack_url": settings.localstack_url, "opensearch_url": settings.opensearch_url,
            "lambda_zip": settings.lambda_zip, "buffer_interval": settings.buffer_interval,
            "buffer_size_mb": settings.buffer_size_mb, "retry_duration": settings.retry_duration,
            "geoip_files": geoip.provision_files(settings), "lambda_handler": settings.lambda_handler,
            "backup_mode": settings.backup_mode}
        return cls(**{**fields, **overrides})


def _arn(service: str, resource: str) -> str:
    return f"arn:aws:{service}:{lab.REGION}:{lab.ACCOUNT_ID}:{resource}"


def ensure_bucket(s3, bucket: str) -> None:
    try:
        s3.head_bucket(Bucket=bucket)
        LOG.info("bucket %s exists", bucket)
    except ClientError:
        s3.create_bucket(Bucket=bucket)
        LOG.info("bucket %s created", bucket)


def ensure_role(iam, name: str, principal: str) -> str:
    trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": principal}, "Action": "sts:AssumeRole"}]}
    try:
        return iam.get_role(RoleName=name)["Role"]["Arn"]
    except ClientError:
        arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
        LOG.info("role %s created", name)
        return arn


def ensure_lambda(lambda_client, zip_path: Path, role_arn: str, environment: dict[str, str] | None = None,
                  handler: str = lab.DEFAULT_LAMBDA_HANDLER) -> str:
    """Create `apache_ETL`, or update its code, handler and environment when they changed; wait until Active."""
    environment = environment or {}
    memory = LAMBDA_MEMORY_MB_GEOIP if environment.get("ETL_GEOIP_DATABASES") else LAMBDA_MEMORY_MB
    if not zip_path.is_file():
        raise MissingPrerequisite(f"{zip_path} is missing: run `make lambda` first")
    code = zip_path.read_bytes()
    code_sha = base64.b64encode(hashlib.sha256(code).digest()).decode()
    try:
        current = lambda_client.get_function(FunctionName=lab.LAMBDA_NAME)["Configuration"]
    except ClientError:
        current = None
    if current is None:
        lambda_client.create_function(
            FunctionName=lab.LAMBDA_NAME, Runtime=LAMBDA_RUNTIME, Handler=handler,
            Role=role_arn, Code={"ZipFile": code}, Timeout=LAMBDA_TIMEOUT_S, MemorySize=memory,
            Description="Clickstream Lab: Apache access log line -> JSON document",
            Environment={"Variables": environment},
        )
        LOG.info("lambda %s created", lab.LAMBDA_NAME)
        lambda_client.get_waiter("function_active_v2").wait(FunctionName=lab.LAMBDA_NAME)
    elif current.get("CodeSha256") != code_sha:
        lambda_client.update_function_code(FunctionName=lab.LAMBDA_NAME, ZipFile=code)
        LOG.info("lambda %s code updated", lab.LAMBDA_NAME)
    else:
        LOG.info("lambda %s code up to date", lab.LAMBDA_NAME)
    lambda_client.get_waiter("function_active_v2").wait(FunctionName=lab.LAMBDA_NAME)
    lambda_client.get_waiter("function_updated_v2").wait(FunctionName=lab.LAMBDA_NAME)
    if current is not None and (current.get("Environment", {}).get("Variables", {}) != environment
                                or current.get("MemorySize") != memory or current.get("Handler") != handler):
        lambda_client.update_function_configuration(FunctionName=lab.LAMBDA_NAME, MemorySize=memory,
                                          Handler=handler, Environment={"Variables": environment})
        LOG.info("lambda %s configuration updated (%s)", lab.LAMBDA_NAME, ", ".join(environment) or "no variables")
        lambda_client.get_waiter("function_updated_v2").wait(FunctionName=lab.LAMBDA_NAME)
    return _arn("lambda", f"function:{lab.LAMBDA_NAME}")


def webserver_stream_destination(target: ProvisionTarget, role_arn: str, lambda_arn: str) -> dict:
    """The workshop's OpenSearch destination for `webserver_stream`."""
    hints = {"IntervalInSeconds": target.buffer_interval, "SizeInMBs": target.buffer_size_mb}
    return {
        "RoleARN": role_arn,
        "ClusterEndpoint": target.opensearch_url,
        "IndexName": lab.INDEX_NAME,
        "IndexRotationPeriod": "NoRotation",
        "BufferingHints": hints,
        "RetryOptions": {"DurationInSeconds": target.retry_duration},
        "S3BackupMode": target.backup_mode,
        "S3Configuration": {
            "RoleARN": role_arn,
            "BucketARN": f"arn:aws:s3:::{lab.BACKUP_BUCKET}",
            "Prefix": lab.BACKUP_PREFIX,
            "BufferingHints": hints,
            "CompressionFormat": "UNCOMPRESSED",
        },
        "ProcessingConfiguration": {
            "Enabled": True,
            "Processors": [{
                "Type": "Lambda",
                "Parameters": [
                    {"ParameterName": "LambdaArn", "ParameterValue": lambda_arn},
                    {"ParameterName": "NumberOfRetries", "ParameterValue": "3"},
                    {"ParameterName": "BufferSizeInMBs", "ParameterValue": str(min(3, target.buffer_size_mb))},
                    {"ParameterName": "BufferIntervalInSeconds", "ParameterValue": str(target.buffer_interval)},
                ],
            }],
        },
        "CloudWatchLoggingOptions": {
            "Enabled": True, "LogGroupName": f"/aws/kinesisfirehose/{lab.DELIVERY_STREAM}",
            "LogStreamName": "DestinationDelivery",
        },
    }


def _stream_description(firehose, name: str) -> dict | None:
    try:
        return firehose.describe_delivery_stream(DeliveryStreamName=name)["DeliveryStreamDescription"]
    except ClientError as err:
        if err.response["Error"]["Code"] == "ResourceNotFoundException":
            return None
        raise


def _wait_active(firehose, name: str, timeout: float = 60.0) -> None:
    def active() -> bool:
        description = _stream_description(firehose, name)
        return bool(description and description["DeliveryStreamStatus"] == "ACTIVE")

    wait_until(active, timeout, what=f"delivery stream {name} to be ACTIVE")


def ensure_webserver_stream(firehose, target: ProvisionTarget, role_arn: str, lambda_arn: str) -> None:
    destination = webserver_stream_destination(target, role_arn, lambda_arn)
    description = _stream_description(firehose, lab.DELIVERY_STREAM)
    if description is None:
        firehose.create_delivery_stream(
            DeliveryStreamName=lab.DELIVERY_STREAM, DeliveryStreamType="DirectPut",
            AmazonopensearchserviceDestinationConfiguration=destination,
        )
        LOG.info("delivery stream %s created (buffer %ss / %s MB)", lab.DELIVERY_STREAM,
                 target.buffer_interval, target.buffer_size_mb)
    else:
        # Keep buffered records: update in place rather than delete and re-create.
        update = {k: v for k, v in destination.items() if k not in ("S3BackupMode", "S3Configuration")}
        update["S3Update"] = {k: v for k, v in destination["S3Configuration"].items()}
        firehose.update_destination(
            DeliveryStreamName=lab.DELIVERY_STREAM,
            CurrentDeliveryStreamVersionId=description["VersionId"],
            DestinationId=description["Destinations"][0]["DestinationId"],
            AmazonopensearchserviceDestinationUpdate=update,
        )
        LOG.info("delivery stream %s updated", lab.DELIVERY_STREAM)
    _wait_active(firehose, lab.DELIVERY_STREAM)


def ensure_kinesis_path(kinesis, firehose, target: ProvisionTarget, role_arn: str) -> None:
    """Sibling labs: Kinesis stream `web-access-log`, archived to S3 by Firehose."""
    try:
        kinesis.describe_stream_summary(StreamName=lab.KINESIS_STREAM)
    except ClientError:
        kinesis.create_stream(StreamName=lab.KINESIS_STREAM, ShardCount=1)
        LOG.info("kinesis stream %s created", lab.KINESIS_STREAM)
    kinesis.get_waiter("stream_exists").wait(StreamName=lab.KINESIS_STREAM,
                                             WaiterConfig={"Delay": 1, "MaxAttempts": 120})
    if _stream_description(firehose, lab.KINESIS_DELIVERY_STREAM) is None:
        firehose.create_delivery_stream(
            DeliveryStreamName=lab.KINESIS_DELIVERY_STREAM, DeliveryStreamType="KinesisStreamAsSource",
            KinesisStreamSourceConfiguration={
                "KinesisStreamARN": _arn("kinesis", f"stream/{lab.KINESIS_STREAM}"), "RoleARN": role_arn},
            ExtendedS3DestinationConfiguration={
                "RoleARN": role_arn, "BucketARN": f"arn:aws:s3:::{lab.BACKUP_BUCKET}",
                "Prefix": lab.KINESIS_ARCHIVE_PREFIX,
                "BufferingHints": {"IntervalInSeconds": target.buffer_interval,
                                   "SizeInMBs": max(1, target.buffer_size_mb)},
            },
        )
        LOG.info("delivery stream %s created", lab.KINESIS_DELIVERY_STREAM)
    _wait_active(firehose, lab.KINESIS_DELIVERY_STREAM)


def ensure_index_template(opensearch_url: str) -> None:
    """The `apache*` index template, so documents get the dashboards' mappings."""
    from opensearchpy import OpenSearch

    from kibana_dashboards import template

    def installed() -> bool:
        template.put_template(OpenSearch(hosts=[opensearch_url], timeout=30))
        return True

    # Tried again only while the server is not reachable yet (it may still be starting);
    # a refused template (a mapping error) fails at once.
    wait_until(installed, 60, what=f"OpenSearch at {opensearch_url} to take the index template",
               retry_on=(OpenSearchConnectionError, requests.ConnectionError))
    LOG.info("index template for %s* installed", lab.INDEX_NAME)


def _wait_for_localstack(url: str) -> None:
    wait_until(lambda: localstack_native.is_ready(url, timeout=3), 120, what=f"LocalStack at {url} to answer")


def provision(target: ProvisionTarget, with_kinesis: bool = True, with_template: bool = True) -> None:
    """Create or update every resource of the lab. Safe to run again."""
    _wait_for_localstack(target.localstack_url)
    clients = aws_clients.clients_for(target.localstack_url)
    s3 = clients("s3")
    iam = clients("iam")
    lambda_client = clients("lambda")
    firehose = clients("firehose")
    if with_template:
        ensure_index_template(target.opensearch_url)
    ensure_bucket(s3, lab.BACKUP_BUCKET)
    firehose_role = ensure_role(iam, FIREHOSE_ROLE, "firehose.amazonaws.com")
    lambda_role = ensure_role(iam, LAMBDA_ROLE, "lambda.amazonaws.com")
    environment = {}
    if target.geoip_files:
        from labctl import geoip

        environment["ETL_GEOIP_DATABASES"] = ",".join(geoip.upload(s3, list(target.geoip_files)))
    lambda_arn = ensure_lambda(lambda_client, target.lambda_zip, lambda_role, environment, target.lambda_handler)
    ensure_webserver_stream(firehose, target, firehose_role, lambda_arn)
    if with_kinesis:
        ensure_kinesis_path(clients("kinesis"), firehose, target, firehose_role)
        streaming_sql.ensure_application(clients, firehose_role,
                                         target.opensearch_url, target.buffer_interval, with_index=with_template)
    crawler_role = ensure_role(iam, lab.CRAWLER_ROLE, "glue.amazonaws.com")
    data_lake.ensure_data_lake(clients("glue"), crawler_role)
    LOG.info("provisioning done")
