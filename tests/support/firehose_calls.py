"""What the Firehose suites (and their benchmarks) do through boto3: S3 buckets, tiny test
Lambdas, stream configurations, waiting for delivery and reading what Firehose wrote, and
checking Lambda events with Powertools' models. The fixtures are in tests/firehose/conftest.py."""
from __future__ import annotations

import base64
import gzip
import io
import json
import textwrap
import uuid
import zipfile

import requests

from tests.support.waiting import wait_for  # noqa: F401 - the firehose suites import it from here

LAMBDA_RUNTIME = "python3.13"
LAMBDA_ROLE = "arn:aws:iam::000000000000:role/firehose-lab"


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def make_bucket(localstack, name: str | None = None) -> str:
    name = name or unique("fh-bucket")
    localstack.client("s3").create_bucket(Bucket=name)
    return name


def objects(localstack, bucket: str, prefix: str = "") -> dict[str, bytes]:
    """Key -> body (gunzipped when the key ends in .gz) of every object under prefix."""
    s3 = localstack.client("s3")
    out = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            body = s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
            if item["Key"].endswith(".gz"):
                body = gzip.decompress(body)
            out[item["Key"]] = body
    return out


def json_lines(bodies: dict[str, bytes]) -> list[dict]:
    return [json.loads(line) for body in bodies.values() for line in body.decode().splitlines() if line]


def lambda_zip(source: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", textwrap.dedent(source))
    return buffer.getvalue()


def create_function(localstack, source: str, name: str | None = None, timeout: int = 30) -> str:
    """A Python test Lambda from source text (handler `handler.lambda_handler`); returns its ARN."""
    name = name or unique("fh-fn")
    client = localstack.client("lambda")
    arn = client.create_function(
        FunctionName=name, Runtime=LAMBDA_RUNTIME, Role=LAMBDA_ROLE, Handler="handler.lambda_handler",
        Code={"ZipFile": lambda_zip(source)}, Timeout=timeout,
    )["FunctionArn"]
    client.get_waiter("function_active_v2").wait(FunctionName=name)
    return arn


def processing(function_arn: str, retries: int = 0, size_mb: float = 1, interval: int = 0) -> dict:
    return {"Enabled": True, "Processors": [{"Type": "Lambda", "Parameters": [
        {"ParameterName": "LambdaArn", "ParameterValue": function_arn},
        {"ParameterName": "NumberOfRetries", "ParameterValue": str(retries)},
        {"ParameterName": "BufferSizeInMBs", "ParameterValue": str(size_mb)},
        {"ParameterName": "BufferIntervalInSeconds", "ParameterValue": str(interval)},
    ]}]}


def s3_destination(bucket: str, size_mb: int = 1, interval: int = 0, **extra) -> dict:
    return {"RoleARN": LAMBDA_ROLE, "BucketARN": f"arn:aws:s3:::{bucket}",
            "BufferingHints": {"SizeInMBs": size_mb, "IntervalInSeconds": interval}, **extra}


def stream_status(localstack, name: str) -> dict:
    response = requests.get(f"{localstack.url}/_lab/firehose/streams/{name}", timeout=10)
    response.raise_for_status()
    return response.json()


def counters(localstack, name: str) -> dict:
    return stream_status(localstack, name)["counters"]


def settled(localstack, name: str, expected_received: int) -> dict | None:
    """The stream's counters once all expected records are received and none is buffered."""
    c = counters(localstack, name)
    if c["received"] >= expected_received and c["buffered_records"] == 0:
        return c
    return None


def put_lines(firehose, name: str, lines: list[bytes]) -> list[str]:
    """PutRecordBatch in chunks of 500; returns the record ids."""
    ids = []
    for start in range(0, len(lines), 500):
        response = firehose.put_record_batch(
            DeliveryStreamName=name, Records=[{"Data": line} for line in lines[start:start + 500]])
        assert response["FailedPutCount"] == 0, response
        ids += [r["RecordId"] for r in response["RequestResponses"]]
    return ids


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def assert_powertools_accepts(event: dict) -> None:
    """The event validates with Powertools for AWS Lambda, written against real AWS events:
    the parser model `KinesisFirehoseModel` and the data class `KinesisFirehoseEvent`."""
    from aws_lambda_powertools.utilities.data_classes import KinesisFirehoseEvent
    from aws_lambda_powertools.utilities.parser.models import KinesisFirehoseModel

    model = KinesisFirehoseModel.model_validate(event)
    assert model.records, "an event with records"
    data_class = KinesisFirehoseEvent(event)
    assert data_class.invocation_id == event["invocationId"]
    assert data_class.delivery_stream_arn == event["deliveryStreamArn"]
    assert data_class.source_kinesis_stream_arn == event.get("sourceKinesisStreamArn")
    for parsed, record in zip(model.records, data_class.records):
        assert parsed.data == record.data_as_bytes
        assert record.approximate_arrival_timestamp == parsed.approximateArrivalTimestamp
        if parsed.kinesisRecordMetadata is not None:
            meta = record.metadata
            assert meta.approximate_arrival_timestamp == parsed.kinesisRecordMetadata.approximateArrivalTimestamp
            assert meta.sequence_number == parsed.kinesisRecordMetadata.sequenceNumber


# Dynamic partitioning and format conversion need IntervalInSeconds >= 60 (AWS); the suites'
# `lake_localstack` waits 5 % of every interval (LAB_FIREHOSE_BUFFER_TIME_SCALE), so a 60 s
# buffer is due after 3 s, and allows 3 active partitions (AWS's quota is 500).
LAKE_ACTIVE_PARTITIONS = 3


def lake_destination(bucket: str, prefix: str, error_prefix: str = "errors/!{firehose:error-output-type}/",
                     size_mb: int = 64, interval: int = 60, **extra) -> dict:
    return s3_destination(bucket, size_mb=size_mb, interval=interval, Prefix=prefix,
                          ErrorOutputPrefix=error_prefix, **extra)


def processors(*entries: tuple[str, dict]) -> dict:
    """A ProcessingConfiguration from (Type, {ParameterName: ParameterValue}) pairs."""
    return {"Enabled": True, "Processors": [
        {"Type": kind, "Parameters": [{"ParameterName": k, "ParameterValue": v} for k, v in params.items()]}
        for kind, params in entries]}


# Test Lambdas shared by several suites (Python source, zipped by create_function).
ECHO_EVENT = """
import base64, json
def lambda_handler(event, context):
    out = []
    for r in event["records"]:
        seen = {"event_keys": sorted(event), "record": r, "invocationId": event.get("invocationId"),
                "deliveryStreamArn": event.get("deliveryStreamArn"), "region": event.get("region"),
                "event": event}
        out.append({"recordId": r["recordId"], "result": "Ok",
                    "data": base64.b64encode((json.dumps(seen) + "\\n").encode()).decode()})
    return {"records": out}
"""

ROUTER = """
import base64
def lambda_handler(event, context):
    out = []
    for r in event["records"]:
        text = base64.b64decode(r["data"]).decode()
        if text.startswith("drop"):
            out.append({"recordId": r["recordId"], "result": "Dropped", "data": r["data"]})
        elif text.startswith("fail"):
            out.append({"recordId": r["recordId"], "result": "ProcessingFailed", "data": r["data"]})
        else:
            out.append({"recordId": r["recordId"], "result": "Ok",
                        "data": base64.b64encode(text.upper().encode()).decode()})
    return {"records": out}
"""


def indexed(server, index: str) -> int:
    client = server.client()
    if not client.indices.exists(index=index):
        return 0
    client.indices.refresh(index=index)
    return client.count(index=index)["count"]
