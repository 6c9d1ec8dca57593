"""Durability: records accepted by a put survive a LocalStack restart.

The lab keeps its S3 buckets and Lambda functions across a restart too (issue 21:
lab_localstack/s3/, lab_localstack/lambda_/), so the destination bucket and the
processor are there again without being re-created, and every buffered record arrives,
exactly once.
"""
from __future__ import annotations

import pytest
import requests

from tests.support.firehose_calls import (
    ROUTER,
    create_function,
    make_bucket,
    objects,
    processing,
    put_lines,
    s3_destination,
    settled,
    stream_status,
    unique,
    wait_for,
)

pytestmark = pytest.mark.localstack

BUFFER_SECONDS = 25


def test_buffered_records_survive_restart(localstack):
    firehose = localstack.client("firehose")
    bucket, function, name = unique("fh-restart"), unique("fh-restart-fn"), unique("fh-restart")
    make_bucket(localstack, bucket)
    fn = create_function(localstack, ROUTER, name=function)
    firehose.create_delivery_stream(
        DeliveryStreamName=name,
        ExtendedS3DestinationConfiguration=s3_destination(
            bucket, size_mb=64, interval=BUFFER_SECONDS, ProcessingConfiguration=processing(fn)),
        Tags=[{"Key": "lab", "Value": "restart"}],
    )
    lines = [f"line {i}\n".encode() for i in range(300)] + [b"drop this\n"] * 5
    put_lines(firehose, name, lines)
    assert stream_status(localstack, name)["counters"]["buffered_records"] == len(lines)

    localstack.restart()

    # Before any Firehose API call: the status route answers and the stream is back.
    # (The provider loads in LocalStack's on_infra_ready hook, just after "Ready.")
    route = f"{localstack.url}/_lab/firehose/streams/{name}"
    status = wait_for(lambda: requests.get(route, timeout=10).ok and requests.get(route, timeout=10).json(),
                      timeout=30, what="the status route after the restart")
    assert status["counters"]["received"] == len(lines)
    assert name in firehose.list_delivery_streams(Limit=10000)["DeliveryStreamNames"]
    assert firehose.list_tags_for_delivery_stream(DeliveryStreamName=name)["Tags"] == [
        {"Key": "lab", "Value": "restart"}]
    c = wait_for(lambda: settled(localstack, name, len(lines)), timeout=BUFFER_SECONDS + 60,
                 what="delivery after the restart")
    assert (c["delivered"], c["dropped"], c["processing_failed"]) == (300, 5, 0)
    body = b"".join(objects(localstack, bucket).values())
    assert body == b"".join(line.upper() for line in lines[:300]), "every record once, in order"
