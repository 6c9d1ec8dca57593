"""LocalStack's Kinesis behind the lab's `kinesis:lab` provider keeps the `Tags` of
CreateStream (kinesis-mock drops them; Terraform's AWS provider passes a stream's tags
there), and everything else works as before."""
from __future__ import annotations

import uuid

import pytest
from botocore.exceptions import ClientError

pytestmark = pytest.mark.localstack


def test_tags_given_at_create_stream(localstack):
    kinesis = localstack.client("kinesis")
    name = f"tags-{uuid.uuid4().hex[:8]}"
    tags = {f"k{i:02d}": str(i) for i in range(12)}      # more than AddTagsToStream's 10 a call
    kinesis.create_stream(StreamName=name, ShardCount=1, Tags=tags)
    assert {t["Key"]: t["Value"] for t in kinesis.list_tags_for_stream(StreamName=name)["Tags"]} == tags
    kinesis.get_waiter("stream_exists").wait(StreamName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 30})
    kinesis.put_record(StreamName=name, Data=b"x", PartitionKey="p")
    plain = f"plain-{uuid.uuid4().hex[:8]}"
    kinesis.create_stream(StreamName=plain, StreamModeDetails={"StreamMode": "ON_DEMAND"})
    assert kinesis.list_tags_for_stream(StreamName=plain)["Tags"] == []
    with pytest.raises(ClientError) as err:
        kinesis.create_stream(StreamName=name, ShardCount=1, Tags={"a": "b"})
    assert err.value.response["Error"]["Code"] == "ResourceInUseException"
    with pytest.raises(ClientError) as err:
        kinesis.create_stream(StreamName=f"many-{uuid.uuid4().hex[:8]}", ShardCount=1,
                              Tags={f"k{i}": "v" for i in range(51)})
    assert err.value.response["Error"]["Code"] == "InvalidArgumentException"
    for stream in (name, plain):
        kinesis.get_waiter("stream_exists").wait(StreamName=stream, WaiterConfig={"Delay": 1, "MaxAttempts": 30})
        kinesis.delete_stream(StreamName=stream)
