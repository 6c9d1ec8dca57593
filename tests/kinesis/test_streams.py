"""The lab's Kinesis Data Streams provider (issue 34) through boto3, against AWS's documented
semantics: hash key routing (MD5 of the partition key as a 128-bit integer, computed here
independently), the five iterator types, GetRecords paging and MillisBehindLatest,
resharding with parents closed and children open, tags, consumers and enhanced fan-out,
retention, encryption and AWS's errors."""
from __future__ import annotations

import hashlib
import itertools
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from botocore.exceptions import ClientError

from tests.support.waiting import wait_for

pytestmark = pytest.mark.localstack


@pytest.fixture()
def kinesis(localstack):
    return localstack.client("kinesis")


def _new_stream(kinesis, shards: int | None = 1, **kwargs) -> str:
    name = f"ks-{uuid.uuid4().hex[:10]}"
    if shards is not None:
        kwargs["ShardCount"] = shards
    kinesis.create_stream(StreamName=name, **kwargs)
    kinesis.get_waiter("stream_exists").wait(StreamName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 30})
    return name


def _active(kinesis, name: str) -> None:
    wait_for(lambda: kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
             ["StreamStatus"] == "ACTIVE", timeout=30, what=f"{name} ACTIVE")


def _error(call, *args, **kwargs) -> tuple[str, str]:
    with pytest.raises(ClientError) as err:
        call(*args, **kwargs)
    return err.value.response["Error"]["Code"], err.value.response["Error"].get("Message", "")


def _all_records(kinesis, name: str, shard_id: str) -> list[dict]:
    it = kinesis.get_shard_iterator(StreamName=name, ShardId=shard_id,
                                    ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    out = []
    while it:
        page = kinesis.get_records(ShardIterator=it)
        out += page["Records"]
        if not page["Records"] and page["MillisBehindLatest"] == 0:
            break
        it = page.get("NextShardIterator")
    return out


def test_partition_keys_route_by_md5_to_hash_ranges(kinesis):
    name = _new_stream(kinesis, 3)
    shards = kinesis.describe_stream(StreamName=name)["StreamDescription"]["Shards"]
    assert int(shards[0]["HashKeyRange"]["StartingHashKey"]) == 0
    assert int(shards[-1]["HashKeyRange"]["EndingHashKey"]) == 2 ** 128 - 1
    for left, right in itertools.pairwise(shards):
        assert int(left["HashKeyRange"]["EndingHashKey"]) + 1 == int(right["HashKeyRange"]["StartingHashKey"])
    keys = [f"user-{i}" for i in range(60)]
    answer = kinesis.put_records(StreamName=name, Records=[{"Data": k.encode(), "PartitionKey": k} for k in keys])
    assert answer["FailedRecordCount"] == 0
    for key, result in zip(keys, answer["Records"]):
        hashed = int.from_bytes(hashlib.md5(key.encode()).digest(), "big")
        owner = next(s["ShardId"] for s in shards if int(s["HashKeyRange"]["StartingHashKey"]) <= hashed
                     <= int(s["HashKeyRange"]["EndingHashKey"]))
        assert result["ShardId"] == owner
        assert len(result["SequenceNumber"]) == 56 and result["SequenceNumber"].isdigit()
    explicit = kinesis.put_record(StreamName=name, Data=b"x", PartitionKey="any",
                                  ExplicitHashKey=str(2 ** 128 - 1))
    assert explicit["ShardId"] == shards[-1]["ShardId"]
    code, _ = _error(kinesis.put_record, StreamName=name, Data=b"x", PartitionKey="k", ExplicitHashKey=str(2 ** 128))
    assert code == "InvalidArgumentException"
    for shard in shards:
        got = _all_records(kinesis, name, shard["ShardId"])
        sent = [k for k, r in zip(keys, answer["Records"]) if r["ShardId"] == shard["ShardId"]]
        assert [r["PartitionKey"] for r in got if r["PartitionKey"] != "any"] == sent
        sequences = [int(r["SequenceNumber"]) for r in got]
        assert sequences == sorted(set(sequences))


def test_iterator_types_limit_and_millis_behind(kinesis):
    name = _new_stream(kinesis, 1)
    shard = kinesis.describe_stream(StreamName=name)["StreamDescription"]["Shards"][0]["ShardId"]
    latest = kinesis.get_shard_iterator(StreamName=name, ShardId=shard, ShardIteratorType="LATEST")["ShardIterator"]
    sequences = [kinesis.put_record(StreamName=name, Data=f"r{i}".encode(), PartitionKey="p")["SequenceNumber"]
                 for i in range(10)]
    # boto3 sends a timestamp in whole seconds: the second batch starts after the next second
    middle = datetime.fromtimestamp(int(time.time()) + 1, UTC)
    time.sleep(max(0.0, middle.timestamp() - time.time()) + 0.05)
    sequences += [kinesis.put_record(StreamName=name, Data=f"r{i}".encode(), PartitionKey="p")["SequenceNumber"]
                  for i in range(10, 15)]
    assert [int(s) for s in sequences] == sorted(int(s) for s in sequences)

    def first(kind: str, **kw) -> list[str]:
        it = kinesis.get_shard_iterator(StreamName=name, ShardId=shard, ShardIteratorType=kind, **kw)
        return [r["Data"].decode() for r in kinesis.get_records(ShardIterator=it["ShardIterator"])["Records"]]

    assert [r["Data"].decode() for r in kinesis.get_records(ShardIterator=latest)["Records"]] == \
        [f"r{i}" for i in range(15)]
    assert first("TRIM_HORIZON") == [f"r{i}" for i in range(15)]
    assert first("AT_SEQUENCE_NUMBER", StartingSequenceNumber=sequences[3])[0] == "r3"
    assert first("AFTER_SEQUENCE_NUMBER", StartingSequenceNumber=sequences[3])[0] == "r4"
    assert first("AT_TIMESTAMP", Timestamp=middle)[0] == "r10"
    assert first("LATEST") == []
    it = kinesis.get_shard_iterator(StreamName=name, ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    page = kinesis.get_records(ShardIterator=it, Limit=4)
    assert [r["Data"] for r in page["Records"]] == [b"r0", b"r1", b"r2", b"r3"]
    assert page["MillisBehindLatest"] >= 0 and page["NextShardIterator"] != it
    rest = kinesis.get_records(ShardIterator=page["NextShardIterator"])
    assert rest["Records"][0]["Data"] == b"r4" and rest["MillisBehindLatest"] == 0
    code, _ = _error(kinesis.get_shard_iterator, StreamName=name, ShardId=shard, ShardIteratorType="AT_TIMESTAMP")
    assert code == "InvalidArgumentException"
    code, message = _error(kinesis.get_shard_iterator, StreamName=name, ShardId="shardId-000000000009",
                           ShardIteratorType="LATEST")
    assert code == "ResourceNotFoundException" and "shardId-000000000009" in message


def test_split_and_merge_close_parents_and_open_children(kinesis):
    name = _new_stream(kinesis, 2)
    parent = kinesis.describe_stream(StreamName=name)["StreamDescription"]["Shards"][0]
    kinesis.put_record(StreamName=name, Data=b"before", PartitionKey="p", ExplicitHashKey="0")
    start, end = int(parent["HashKeyRange"]["StartingHashKey"]), int(parent["HashKeyRange"]["EndingHashKey"])
    kinesis.split_shard(StreamName=name, ShardToSplit=parent["ShardId"], NewStartingHashKey=str((start + end) // 2))
    _active(kinesis, name)
    shards = kinesis.list_shards(StreamName=name)["Shards"]
    children = [s for s in shards if s.get("ParentShardId") == parent["ShardId"]]
    assert len(shards) == 4 and len(children) == 2
    closed = next(s for s in shards if s["ShardId"] == parent["ShardId"])
    assert "EndingSequenceNumber" in closed["SequenceNumberRange"]
    open_ids = {s["ShardId"] for s in kinesis.list_shards(StreamName=name, ShardFilter={"Type": "AT_LATEST"})["Shards"]}
    assert parent["ShardId"] not in open_ids and len(open_ids) == 3
    it = kinesis.get_shard_iterator(StreamName=name, ShardId=parent["ShardId"],
                                    ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    last = kinesis.get_records(ShardIterator=it)
    assert [r["Data"] for r in last["Records"]] == [b"before"]
    assert "NextShardIterator" not in last
    assert {c["ShardId"] for c in last["ChildShards"]} == {c["ShardId"] for c in children}
    after = kinesis.put_record(StreamName=name, Data=b"after", PartitionKey="p", ExplicitHashKey="0")
    assert after["ShardId"] == children[0]["ShardId"]
    code, _ = _error(kinesis.merge_shards, StreamName=name, ShardToMerge=children[0]["ShardId"],
                     AdjacentShardToMerge=shards[1]["ShardId"])        # not adjacent
    assert code == "InvalidArgumentException"
    kinesis.merge_shards(StreamName=name, ShardToMerge=children[0]["ShardId"],
                         AdjacentShardToMerge=children[1]["ShardId"])
    _active(kinesis, name)
    merged = [s for s in kinesis.list_shards(StreamName=name)["Shards"]
              if s.get("AdjacentParentShardId") == children[1]["ShardId"]]
    assert len(merged) == 1 and merged[0]["HashKeyRange"] == parent["HashKeyRange"]
    page = kinesis.list_shards(StreamName=name, MaxResults=2)
    assert len(page["Shards"]) == 2
    rest = kinesis.list_shards(NextToken=page["NextToken"])
    assert len(page["Shards"]) + len(rest["Shards"]) == 5
    code, _ = _error(kinesis.list_shards, StreamName=name, NextToken=page["NextToken"])
    assert code == "InvalidArgumentException"
    kinesis.update_shard_count(StreamName=name, TargetShardCount=4, ScalingType="UNIFORM_SCALING")
    _active(kinesis, name)
    summary = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
    assert summary["OpenShardCount"] == 4


def test_tags_retention_encryption_and_errors(kinesis):
    tags = {f"k{i:02d}": str(i) for i in range(12)}
    name = _new_stream(kinesis, 1, Tags=tags)
    assert {t["Key"]: t["Value"] for t in kinesis.list_tags_for_stream(StreamName=name)["Tags"]} == tags
    kinesis.add_tags_to_stream(StreamName=name, Tags={"team": "lab"})
    kinesis.remove_tags_from_stream(StreamName=name, TagKeys=["k00"])
    page = kinesis.list_tags_for_stream(StreamName=name, Limit=5)
    assert len(page["Tags"]) == 5 and page["HasMoreTags"]
    kinesis.increase_stream_retention_period(StreamName=name, RetentionPeriodHours=48)
    assert kinesis.describe_stream(StreamName=name)["StreamDescription"]["RetentionPeriodHours"] == 48
    code, _ = _error(kinesis.decrease_stream_retention_period, StreamName=name, RetentionPeriodHours=12)
    assert code == "InvalidArgumentException"
    kinesis.start_stream_encryption(StreamName=name, EncryptionType="KMS", KeyId="alias/aws/kinesis")
    _active(kinesis, name)
    summary = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
    assert summary["EncryptionType"] == "KMS" and summary["KeyId"] == "alias/aws/kinesis"
    assert kinesis.put_record(StreamName=name, Data=b"x", PartitionKey="p")["EncryptionType"] == "KMS"
    code, message = _error(kinesis.create_stream, StreamName=name, ShardCount=1)
    assert code == "ResourceInUseException"
    code, message = _error(kinesis.describe_stream, StreamName="no-such-stream")
    assert (code, message) == ("ResourceNotFoundException",
                               "Stream no-such-stream under account 000000000000 not found.")
    assert name in kinesis.list_streams()["StreamNames"]
    kinesis.delete_stream(StreamName=name)
    assert name not in kinesis.list_streams()["StreamNames"]


def test_enhanced_fan_out_subscription(kinesis):
    name = _new_stream(kinesis, 1)
    arn = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]
    consumer = kinesis.register_stream_consumer(StreamARN=arn, ConsumerName="fan")["Consumer"]
    assert consumer["ConsumerARN"].startswith(f"{arn}/consumer/fan:")
    wait_for(lambda: kinesis.describe_stream_consumer(ConsumerARN=consumer["ConsumerARN"])
             ["ConsumerDescription"]["ConsumerStatus"] == "ACTIVE", timeout=30, what="consumer ACTIVE")
    assert [c["ConsumerName"] for c in kinesis.list_stream_consumers(StreamARN=arn)["Consumers"]] == ["fan"]
    shard = kinesis.list_shards(StreamName=name)["Shards"][0]["ShardId"]
    events = kinesis.subscribe_to_shard(ConsumerARN=consumer["ConsumerARN"], ShardId=shard,
                                        StartingPosition={"Type": "TRIM_HORIZON"})["EventStream"]
    kinesis.put_records(StreamName=name, Records=[{"Data": f"e{i}".encode(), "PartitionKey": "p"} for i in range(5)])
    got = []
    deadline = time.monotonic() + 30
    for event in events:
        got += [r["Data"] for r in event["SubscribeToShardEvent"]["Records"]]
        if len(got) >= 5 or time.monotonic() > deadline:
            break
    events.close()
    assert got == [f"e{i}".encode() for i in range(5)]
    code, _ = _error(kinesis.delete_stream, StreamName=name)            # consumers registered
    assert code == "ResourceInUseException"
    kinesis.deregister_stream_consumer(ConsumerARN=consumer["ConsumerARN"])
    kinesis.delete_stream(StreamName=name)


def test_on_demand_stream_and_iterator_expiry_message(kinesis):
    name = _new_stream(kinesis, None, StreamModeDetails={"StreamMode": "ON_DEMAND"})
    summary = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
    assert summary["StreamModeDetails"]["StreamMode"] == "ON_DEMAND" and summary["OpenShardCount"] == 4
    code, _ = _error(kinesis.get_records, ShardIterator="not-an-iterator")
    assert code == "InvalidArgumentException"
    assert datetime.now(UTC) - summary["StreamCreationTimestamp"] < timedelta(minutes=5)


def test_throttling_is_a_setting_off_by_default(kinesis, localstack_factory):
    """AWS's 1 MiB/s of writes per shard: one PutRecords of 2 MB to one shard is half refused
    with LAB_KINESIS_THROTTLING=1, record by record, and wholly accepted by default."""
    records = [{"Data": bytes([i % 256]) * 4000, "PartitionKey": f"k{i}"} for i in range(500)]
    name = _new_stream(kinesis, 1)
    assert kinesis.put_records(StreamName=name, Records=records)["FailedRecordCount"] == 0
    throttled = localstack_factory(extra_env={"LAB_KINESIS_THROTTLING": "1"}).client("kinesis")
    name = _new_stream(throttled, 1)
    answer = throttled.put_records(StreamName=name, Records=records)
    failed = [r for r in answer["Records"] if "ErrorCode" in r]
    assert 0 < answer["FailedRecordCount"] == len(failed) < len(records)
    assert {r["ErrorCode"] for r in failed} == {"ProvisionedThroughputExceededException"}
    assert "Rate exceeded for shard shardId-000000000000" in failed[0]["ErrorMessage"]
    stored = _all_records(throttled, name, "shardId-000000000000")
    assert len(stored) == len(records) - len(failed)
