"""The Firehose API surface: Create/Describe/List/Delete/UpdateDestination, tags,
PutRecord/PutRecordBatch limits and AWS's error types."""
from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.support.firehose_calls import (
    LAMBDA_ROLE,
    make_bucket,
    objects,
    put_lines,
    s3_destination,
    unique,
    wait_for,
)

pytestmark = pytest.mark.localstack


@pytest.fixture()
def stream(localstack):
    bucket, name = make_bucket(localstack), unique("fh-api")
    localstack.client("firehose").create_delivery_stream(
        DeliveryStreamName=name, ExtendedS3DestinationConfiguration=s3_destination(bucket, interval=0))
    return name, bucket


def error_code(excinfo) -> str:
    return excinfo.value.response["Error"]["Code"]


def test_describe_shows_aws_defaults(localstack, stream):
    name, bucket = stream
    d = localstack.client("firehose").describe_delivery_stream(DeliveryStreamName=name)["DeliveryStreamDescription"]
    assert d["DeliveryStreamStatus"] == "ACTIVE" and d["DeliveryStreamType"] == "DirectPut"
    assert d["VersionId"] == "1" and d["DeliveryStreamARN"].endswith(f":deliverystream/{name}")
    (destination,) = d["Destinations"]
    s3 = destination["ExtendedS3DestinationDescription"]
    assert destination["DestinationId"] == "destinationId-000000000001"
    assert s3["BucketARN"] == f"arn:aws:s3:::{bucket}" and s3["CompressionFormat"] == "UNCOMPRESSED"
    assert s3["BufferingHints"] == {"SizeInMBs": 1, "IntervalInSeconds": 0}


def test_create_errors(localstack, stream):
    firehose = localstack.client("firehose")
    name, bucket = stream
    with pytest.raises(ClientError) as excinfo:
        firehose.create_delivery_stream(DeliveryStreamName=name,
                                        ExtendedS3DestinationConfiguration=s3_destination(bucket))
    assert error_code(excinfo) == "ResourceInUseException"
    with pytest.raises(ClientError) as excinfo:
        firehose.create_delivery_stream(DeliveryStreamName="bad name!",
                                        ExtendedS3DestinationConfiguration=s3_destination(bucket))
    assert error_code(excinfo) == "ValidationException"
    with pytest.raises(ClientError) as excinfo:
        firehose.create_delivery_stream(DeliveryStreamName=unique("fh-x"),
                                        ExtendedS3DestinationConfiguration=s3_destination(bucket, size_mb=500))
    assert error_code(excinfo) == "InvalidArgumentException"
    with pytest.raises(ClientError) as excinfo:
        firehose.create_delivery_stream(DeliveryStreamName=unique("fh-x"), DeliveryStreamType="KinesisStreamAsSource",
                                        ExtendedS3DestinationConfiguration=s3_destination(bucket))
    assert error_code(excinfo) == "InvalidArgumentException"


def test_not_found_everywhere(localstack):
    firehose = localstack.client("firehose")
    for call in (
        lambda: firehose.describe_delivery_stream(DeliveryStreamName="nope"),
        lambda: firehose.delete_delivery_stream(DeliveryStreamName="nope"),
        lambda: firehose.put_record(DeliveryStreamName="nope", Record={"Data": b"x"}),
        lambda: firehose.list_tags_for_delivery_stream(DeliveryStreamName="nope"),
    ):
        with pytest.raises(ClientError) as excinfo:
            call()
        assert error_code(excinfo) == "ResourceNotFoundException"


def test_batch_limits(localstack, stream):
    firehose = localstack.client("firehose")
    name, _ = stream
    with pytest.raises(ClientError) as excinfo:
        firehose.put_record_batch(DeliveryStreamName=name, Records=[{"Data": b"x"}] * 501)
    assert error_code(excinfo) == "ValidationException"
    with pytest.raises(ClientError) as excinfo:
        firehose.put_record(DeliveryStreamName=name, Record={"Data": b"x" * (1000 * 1024 + 1)})
    assert error_code(excinfo) == "ValidationException"
    with pytest.raises(ClientError) as excinfo:
        firehose.put_record_batch(DeliveryStreamName=name, Records=[{"Data": b"y" * 1000 * 1024}] * 5)
    assert error_code(excinfo) == "InvalidArgumentException"
    ok = firehose.put_record_batch(DeliveryStreamName=name, Records=[{"Data": b"x"}] * 500)
    assert ok["FailedPutCount"] == 0 and len({r["RecordId"] for r in ok["RequestResponses"]}) == 500


def test_list_and_delete(localstack, stream):
    firehose = localstack.client("firehose")
    name, _ = stream
    assert name in firehose.list_delivery_streams(Limit=10000)["DeliveryStreamNames"]
    page = firehose.list_delivery_streams(Limit=1)
    assert len(page["DeliveryStreamNames"]) == 1
    firehose.delete_delivery_stream(DeliveryStreamName=name)
    assert name not in firehose.list_delivery_streams(Limit=10000)["DeliveryStreamNames"]


def test_tags(localstack, stream):
    firehose = localstack.client("firehose")
    name, _ = stream
    firehose.tag_delivery_stream(DeliveryStreamName=name, Tags=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])
    firehose.tag_delivery_stream(DeliveryStreamName=name, Tags=[{"Key": "a", "Value": "3"}])
    firehose.untag_delivery_stream(DeliveryStreamName=name, TagKeys=["b"])
    assert firehose.list_tags_for_delivery_stream(DeliveryStreamName=name)["Tags"] == [{"Key": "a", "Value": "3"}]
    with pytest.raises(ClientError) as excinfo:
        firehose.tag_delivery_stream(DeliveryStreamName=name,
                                     Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(50)])
    assert error_code(excinfo) == "LimitExceededException"


def test_update_destination_changes_prefix_and_version(localstack, stream):
    firehose = localstack.client("firehose")
    name, bucket = stream
    firehose.update_destination(DeliveryStreamName=name, CurrentDeliveryStreamVersionId="1",
                                DestinationId="destinationId-000000000001",
                                ExtendedS3DestinationUpdate={"Prefix": "updated/", "RoleARN": LAMBDA_ROLE})
    d = firehose.describe_delivery_stream(DeliveryStreamName=name)["DeliveryStreamDescription"]
    assert d["VersionId"] == "2"
    assert d["Destinations"][0]["ExtendedS3DestinationDescription"]["Prefix"] == "updated/"
    with pytest.raises(ClientError) as excinfo:
        firehose.update_destination(DeliveryStreamName=name, CurrentDeliveryStreamVersionId="1",
                                    DestinationId="destinationId-000000000001",
                                    ExtendedS3DestinationUpdate={"Prefix": "again/"})
    assert error_code(excinfo) == "ConcurrentModificationException"
    put_lines(firehose, name, [b"after update\n"])
    found = wait_for(lambda: objects(localstack, bucket, "updated/"), timeout=30)
    (key,) = found
    assert f"/{name}-2-" in key, "object names carry the new version"
