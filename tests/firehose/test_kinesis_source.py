"""A Kinesis data stream as source: read without KCL or Java, the Lambda event
carries kinesisRecordMetadata, records from before the delivery stream's
creation are not read, and PutRecord is refused on such a stream."""
from __future__ import annotations

import base64
import json

import pytest

from tests.support.firehose_calls import (
    ECHO_EVENT,
    LAMBDA_ROLE,
    assert_powertools_accepts,
    create_function,
    json_lines,
    make_bucket,
    objects,
    processing,
    s3_destination,
    settled,
    unique,
    wait_for,
)

pytestmark = pytest.mark.localstack


def test_kinesis_stream_as_source(localstack):
    kinesis, firehose = localstack.client("kinesis"), localstack.client("firehose")
    source = unique("web-access-log")
    kinesis.create_stream(StreamName=source, ShardCount=2)
    kinesis.get_waiter("stream_exists").wait(StreamName=source, WaiterConfig={"Delay": 1, "MaxAttempts": 120})
    stream_arn = kinesis.describe_stream_summary(StreamName=source)["StreamDescriptionSummary"]["StreamARN"]
    kinesis.put_record(StreamName=source, Data=b"before creation\n", PartitionKey="early")

    fn = create_function(localstack, ECHO_EVENT)
    bucket, name = make_bucket(localstack), unique("fh-kinesis")
    firehose.create_delivery_stream(
        DeliveryStreamName=name, DeliveryStreamType="KinesisStreamAsSource",
        KinesisStreamSourceConfiguration={"KinesisStreamARN": stream_arn, "RoleARN": LAMBDA_ROLE},
        ExtendedS3DestinationConfiguration=s3_destination(bucket, interval=1,
                                                          ProcessingConfiguration=processing(fn)),
    )
    with pytest.raises(firehose.exceptions.InvalidArgumentException):
        firehose.put_record(DeliveryStreamName=name, Record={"Data": b"direct\n"})

    sent = {}
    for i in range(30):
        data = f"kinesis {i}\n".encode()
        response = kinesis.put_record(StreamName=source, Data=data, PartitionKey=f"pk-{i}")
        sent[response["SequenceNumber"]] = (data, f"pk-{i}", response["ShardId"])
    wait_for(lambda: settled(localstack, name, len(sent)), timeout=90, what="the Kinesis records")
    seen = json_lines(objects(localstack, bucket))
    assert len(seen) == len(sent), "each Kinesis record delivered once, the early one skipped"
    for s in seen:
        assert_powertools_accepts(s["event"])
        assert s["event"]["sourceKinesisStreamArn"] == stream_arn
        assert s["event_keys"] == ["deliveryStreamArn", "invocationId", "records", "region",
                                   "sourceKinesisStreamArn"]
        record = s["record"]
        meta = record["kinesisRecordMetadata"]
        data, partition_key, shard_id = sent[meta["sequenceNumber"]]
        assert base64.b64decode(record["data"]) == data
        assert meta["partitionKey"] == partition_key and meta["shardId"] == shard_id
        assert set(meta) == {"shardId", "partitionKey", "approximateArrivalTimestamp", "sequenceNumber",
                             "subsequenceNumber"}
        assert isinstance(record["approximateArrivalTimestamp"], int)
        # AWS's sample event: epoch milliseconds (an integer) and a numeric subsequence number
        assert isinstance(meta["approximateArrivalTimestamp"], int)
        assert meta["approximateArrivalTimestamp"] > 1_600_000_000_000
        assert isinstance(meta["subsequenceNumber"], int)
    json.dumps(seen)
