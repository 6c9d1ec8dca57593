"""What the KDG's LocalStack and browser tests do with streams: create a Kinesis stream or
a Firehose to S3, and read back everything they hold (GetRecords from TRIM_HORIZON on
every shard; the delivery's S3 objects)."""
from __future__ import annotations

import time

from tests.support.firehose_calls import make_bucket, objects, s3_destination, unique


def make_kinesis_stream(localstack, shards: int = 2) -> str:
    name = unique("kdg")
    kinesis = localstack.client("kinesis")
    kinesis.create_stream(StreamName=name, ShardCount=shards)
    kinesis.get_waiter("stream_exists").wait(StreamName=name, WaiterConfig={"Delay": 0.5, "MaxAttempts": 60})
    return name


def make_firehose(localstack) -> tuple[str, str]:
    bucket, name = make_bucket(localstack), unique("kdg-fh")
    localstack.client("firehose").create_delivery_stream(
        DeliveryStreamName=name, ExtendedS3DestinationConfiguration=s3_destination(bucket, interval=0))
    return name, bucket


def kinesis_records(localstack, stream: str) -> list[dict]:
    """Every record of every shard, from TRIM_HORIZON until a shard has nothing more."""
    kinesis = localstack.client("kinesis")
    out = []
    for shard in kinesis.list_shards(StreamName=stream)["Shards"]:
        iterator = kinesis.get_shard_iterator(StreamName=stream, ShardId=shard["ShardId"],
                                              ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        while iterator:
            page = kinesis.get_records(ShardIterator=iterator, Limit=10000)
            out += page["Records"]
            if not page["Records"] and page.get("MillisBehindLatest", 0) == 0:
                break
            iterator = page.get("NextShardIterator")
    return out


def s3_lines(localstack, bucket: str) -> list[bytes]:
    return [line for body in objects(localstack, bucket).values() for line in body.splitlines(keepends=True)]


def wait_for_s3_lines(localstack, bucket: str, n: int, timeout: float = 60, settle: float = 3) -> list[bytes]:
    """The delivered lines once there are n (and still n `settle` s later: no extra ones)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        lines = s3_lines(localstack, bucket)
        if len(lines) >= n:
            time.sleep(settle)
            return s3_lines(localstack, bucket)
        time.sleep(0.5)
    return s3_lines(localstack, bucket)
