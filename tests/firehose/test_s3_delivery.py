"""ExtendedS3 delivery: buffering by size and by interval, AWS key names, GZIP,
source record backup, a missing bucket retried rather than losing records."""
from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from tests.support.firehose_calls import (
    make_bucket,
    objects,
    put_lines,
    s3_destination,
    settled,
    unique,
    wait_for,
)

pytestmark = pytest.mark.localstack

KEY = re.compile(
    r"^(?P<prefix>.*)(?P<y>\d{4})/(?P<m>\d{2})/(?P<d>\d{2})/(?P<h>\d{2})/"
    r"(?P<stream>.+)-(?P<version>\d+)-(?P=y)-(?P=m)-(?P=d)-(?P=h)-\d{2}-\d{2}-"
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?P<ext>\.gz)?$"
)


def test_interval_flush_writes_one_object_with_aws_key(localstack):
    firehose = localstack.client("firehose")
    bucket, name = make_bucket(localstack), unique("fh-s3")
    firehose.create_delivery_stream(
        DeliveryStreamName=name,
        ExtendedS3DestinationConfiguration=s3_destination(bucket, size_mb=1, interval=2, Prefix="apache_"),
    )
    lines = [f"line {i}\n".encode() for i in range(120)]
    before = datetime.now(UTC)
    put_lines(firehose, name, lines)
    found = wait_for(lambda: objects(localstack, bucket), timeout=30, what="the S3 object")
    assert len(found) == 1, "records put together within the interval share one object"
    key, body = next(iter(found.items()))
    match = KEY.match(key)
    assert match, key
    assert match["prefix"] == "apache_" and match["stream"] == name and match["version"] == "1"
    assert int(match["h"]) in (before.hour, (before.hour + 1) % 24)
    assert body == b"".join(lines), "data concatenated in order, without separators"
    c = wait_for(lambda: settled(localstack, name, len(lines)), what="settled counters")
    assert c["delivered"] == len(lines) and c["s3_objects"] == 1


def test_size_flush_before_interval(localstack):
    firehose = localstack.client("firehose")
    bucket, name = make_bucket(localstack), unique("fh-size")
    firehose.create_delivery_stream(
        DeliveryStreamName=name,
        ExtendedS3DestinationConfiguration=s3_destination(bucket, size_mb=1, interval=900),
    )
    record = b"x" * 100_000 + b"\n"
    put_lines(firehose, name, [record] * 25)  # 2.5 MB: two full 1 MB buffers, the rest waits 900 s
    found = wait_for(lambda: len(objects(localstack, bucket)) >= 2 and objects(localstack, bucket),
                     timeout=30, what="two size-triggered objects")
    sizes = sorted(len(body) for body in found.values())
    assert len(found) == 2 and all(size <= 1024 * 1024 for size in sizes), sizes
    from tests.support.firehose_calls import counters
    c = counters(localstack, name)
    assert c["delivered"] == sum(sizes) // len(record)
    assert c["buffered_records"] == 25 - c["delivered"] > 0, "the remainder waits for the interval"


def test_gzip_and_source_backup(localstack):
    firehose = localstack.client("firehose")
    bucket, backup, name = make_bucket(localstack), make_bucket(localstack), unique("fh-gz")
    firehose.create_delivery_stream(
        DeliveryStreamName=name,
        ExtendedS3DestinationConfiguration=s3_destination(
            bucket, interval=0, CompressionFormat="GZIP", S3BackupMode="Enabled",
            S3BackupConfiguration=s3_destination(backup, interval=0, Prefix="source/")),
    )
    firehose.put_record(DeliveryStreamName=name, Record={"Data": b"hello\n"})
    found = wait_for(lambda: objects(localstack, bucket), timeout=30)
    (key, body), = found.items()
    assert key.endswith(".gz") and body == b"hello\n"
    copies = wait_for(lambda: objects(localstack, backup, "source/"), timeout=30)
    assert list(copies.values()) == [b"hello\n"]


def test_missing_bucket_is_retried_not_lost(localstack):
    firehose = localstack.client("firehose")
    bucket, name = unique("fh-late"), unique("fh-missing")
    firehose.create_delivery_stream(
        DeliveryStreamName=name, ExtendedS3DestinationConfiguration=s3_destination(bucket, interval=0))
    put_lines(firehose, name, [b"a\n", b"b\n"])
    from tests.support.firehose_calls import counters
    wait_for(lambda: counters(localstack, name)["delivery_retries"] >= 2, timeout=30,
             what="retries against the missing bucket")
    assert counters(localstack, name)["buffered_records"] == 2
    make_bucket(localstack, bucket)
    found = wait_for(lambda: objects(localstack, bucket), timeout=30)
    assert b"".join(found.values()) == b"a\nb\n"


def test_full_buffer_is_a_partial_failure(localstack_factory):
    # A LocalStack of its own with a 0.01 MB buffer limit and a bucket that does not exist.
    small = localstack_factory(extra_env={"LAB_FIREHOSE_MAX_BUFFER_MB": "0.01"})
    firehose = small.client("firehose")
    bucket, name = unique("fh-full"), unique("fh-full")
    firehose.create_delivery_stream(
        DeliveryStreamName=name, ExtendedS3DestinationConfiguration=s3_destination(bucket, interval=0))
    response = firehose.put_record_batch(DeliveryStreamName=name, Records=[{"Data": b"z" * 1000}] * 15)
    assert response["FailedPutCount"] == 5
    codes = [r.get("ErrorCode") for r in response["RequestResponses"]]
    assert codes == [None] * 10 + ["ServiceUnavailableException"] * 5
    assert all("RecordId" in r for r in response["RequestResponses"][:10])
    make_bucket(small, bucket)
    found = wait_for(lambda: objects(small, bucket), timeout=30)
    assert sum(len(body) for body in found.values()) == 10 * 1000
