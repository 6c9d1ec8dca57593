"""The lab's Kinesis through a SIGKILL of LocalStack (issue 34): LocalStack is killed in the
middle of a burst of PutRecords calls; after a restart every record whose call answered is
readable from TRIM_HORIZON, in its shard, in the order it was acknowledged, and no record is
there twice (a frame cut short at the end of a shard's log is dropped). Streams, tags,
consumers and shard lineage come back too."""
from __future__ import annotations

import os
import signal
import threading

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from tests.conftest import LocalStackInstance
from tests.support.waiting import wait_for

pytestmark = [pytest.mark.localstack]

STREAM = "durable-stream"


@pytest.fixture()
def restartable(tmp_path):
    inst = LocalStackInstance(tmp_path / "volume", tmp_path / "localstack.log")
    inst.start()
    yield inst
    if inst.proc is not None:
        inst.stop()


def crash(inst: LocalStackInstance) -> None:
    os.killpg(inst.proc.pid, signal.SIGKILL)
    inst.proc.wait(timeout=10)
    inst.proc = None


def _client(inst: LocalStackInstance):
    return boto3.client("kinesis", endpoint_url=inst.url, region_name="us-east-1", aws_access_key_id="test",
                        aws_secret_access_key="test",
                        config=Config(retries={"max_attempts": 0}, connect_timeout=2, read_timeout=10))


def _read_shard(kinesis, shard_id: str) -> list[dict]:
    it = kinesis.get_shard_iterator(StreamName=STREAM, ShardId=shard_id,
                                    ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    out: list[dict] = []
    while it:
        page = kinesis.get_records(ShardIterator=it, Limit=10000)
        out += page["Records"]
        if page["MillisBehindLatest"] == 0 and not page["Records"]:
            break
        it = page.get("NextShardIterator")
    return out


def test_every_acknowledged_record_survives_sigkill_mid_burst(restartable):
    kinesis = restartable.client("kinesis")
    kinesis.create_stream(StreamName=STREAM, ShardCount=4, Tags={"team": "lab"})
    kinesis.get_waiter("stream_exists").wait(StreamName=STREAM, WaiterConfig={"Delay": 1, "MaxAttempts": 30})
    arn = kinesis.describe_stream_summary(StreamName=STREAM)["StreamDescriptionSummary"]["StreamARN"]
    kinesis.register_stream_consumer(StreamARN=arn, ConsumerName="keeper")
    first = kinesis.list_shards(StreamName=STREAM)["Shards"][0]
    low, high = int(first["HashKeyRange"]["StartingHashKey"]), int(first["HashKeyRange"]["EndingHashKey"])
    kinesis.split_shard(StreamName=STREAM, ShardToSplit=first["ShardId"], NewStartingHashKey=str((low + high) // 2))
    wait_for(lambda: kinesis.describe_stream_summary(StreamName=STREAM)["StreamDescriptionSummary"]
             ["StreamStatus"] == "ACTIVE", timeout=30, what="stream ACTIVE after the split")

    acknowledged: dict[str, list[tuple[str, bytes]]] = {}     # shard -> [(sequence, data)] in ack order
    stop = threading.Event()

    def burst() -> None:
        writer = _client(restartable)
        n = 0
        while not stop.is_set():
            batch = [{"Data": f"record-{n + i:08d}".encode() + os.urandom(64), "PartitionKey": f"key-{n + i}"}
                     for i in range(500)]
            n += 500
            try:
                answer = writer.put_records(StreamName=STREAM, Records=batch)
            except (BotoCoreError, ClientError):      # the kill: this call never answered
                return
            for sent, result in zip(batch, answer["Records"]):
                assert "ErrorCode" not in result
                acknowledged.setdefault(result["ShardId"], []).append((result["SequenceNumber"], sent["Data"]))

    thread = threading.Thread(target=burst)
    thread.start()
    wait_for(lambda: sum(len(v) for v in acknowledged.values()) >= 5000, timeout=120, what="5,000 records put")
    crash(restartable)
    stop.set()
    thread.join(timeout=30)
    # a write cut short, as a crash mid-write leaves it: a frame header promising more bytes
    logs = sorted((restartable.cfg.state_dir / "lab-kinesis").glob(f"*/*/{STREAM}/shards/*/*.log"))
    assert logs, "no shard log on disk"
    torn = logs[-1].parent.name          # the newest shard: a child of the split, open
    with open(logs[-1], "ab") as log:
        log.write(b"\x00\x00\x10\x00\x12\x34\x56\x78partial")
    restartable.start()

    kinesis = restartable.client("kinesis")
    summary = kinesis.describe_stream_summary(StreamName=STREAM)["StreamDescriptionSummary"]
    assert summary["OpenShardCount"] == 5 and summary["ConsumerCount"] == 1
    assert kinesis.list_tags_for_stream(StreamName=STREAM)["Tags"] == [{"Key": "team", "Value": "lab"}]
    assert len(kinesis.list_shards(StreamName=STREAM)["Shards"]) == 6
    total = 0
    for shard in kinesis.list_shards(StreamName=STREAM)["Shards"]:
        stored = _read_shard(kinesis, shard["ShardId"])
        sequences = [r["SequenceNumber"] for r in stored]
        assert len(set(sequences)) == len(sequences), "a record stored twice"
        assert [int(s) for s in sequences] == sorted(int(s) for s in sequences)
        payloads = [r["Data"] for r in stored]
        assert len(set(payloads)) == len(payloads), "a payload stored twice"
        acked = acknowledged.get(shard["ShardId"], [])
        # every acknowledged record, in acknowledgement order, is a prefix of what is stored
        assert [(r["SequenceNumber"], r["Data"]) for r in stored[:len(acked)]] == acked
        total += len(acked)
    assert total >= 5000
    # the stream keeps working after the restart, sequence numbers still growing
    start = next(s["HashKeyRange"]["StartingHashKey"] for s in kinesis.list_shards(StreamName=STREAM)["Shards"]
                 if s["ShardId"] == torn)
    again = kinesis.put_record(StreamName=STREAM, Data=b"after", PartitionKey="key-0", ExplicitHashKey=start)
    assert again["ShardId"] == torn
    last = acknowledged.get(again["ShardId"], [("0", b"")])[-1][0]
    assert int(again["SequenceNumber"]) > int(last)
    # what follows a dropped partial frame is read back too (the log was cut at the last whole frame)
    restartable.restart()
    kinesis = restartable.client("kinesis")
    assert _read_shard(kinesis, again["ShardId"])[-1]["Data"] == b"after"
