"""The CloudWatch Logs source against LocalStack's Logs and a real broker: one topic per stream
named by kafka.topic.format, every event exactly once and in order (key, value, timestamp as
Confluent Cloud's connector writes them), new streams picked up, restart from the committed
position without a gap; after a kill -9 the replayed page is counted."""
from __future__ import annotations

import json
import os
import signal
import time

import pytest

from tests.kafka_connect.conftest import read_topic, unique
from tests.support.waiting import wait_for

pytestmark = pytest.mark.localstack
REGION = "ap-south-1"


def source_config(group: str, **overrides) -> dict:
    cfg = {"name": unique("cw-"), "connector.class": "CloudWatchLogsSource",
           "kafka.topic.format": "${log-group}.${log-stream}", "output.data.format": "JSON",
           "aws.cloudwatch.logs.url": f"https://logs.{REGION}.amazonaws.com/",
           "aws.cloudwatch.log.group": group, "aws.poll.interval.ms": "200", "tasks.max": "1"}
    cfg.update(overrides)
    return cfg


def logs_client(localstack):
    import boto3

    return boto3.client("logs", endpoint_url=localstack.url, region_name=REGION,
                        aws_access_key_id="test", aws_secret_access_key="test")


def put(logs, group: str, stream: str, messages: list[str], t0: int) -> list[dict]:
    events = [{"timestamp": t0 + i, "message": m} for i, m in enumerate(messages)]
    for i in range(0, len(events), 5000):
        logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=events[i:i + 5000])
    return events


def expected_key(group: str, stream: str, ts: int) -> bytes:
    return f"Struct{{logGroupName={group},logStreamName={stream},timestamp={ts}}}".encode()


def check(records, group: str, stream: str, events: list[dict]) -> None:
    assert [r.value() for r in records] == [json.dumps(e["message"], ensure_ascii=False).encode() for e in events]
    assert [r.key() for r in records] == [expected_key(group, stream, e["timestamp"]) for e in events]
    assert [r.timestamp()[1] for r in records] == [e["timestamp"] for e in events]


def test_topics_per_stream_in_order_new_streams_and_restart(localstack, broker, connectors):
    logs = logs_client(localstack)
    group = unique("cloudwatchLogsEC2")
    logs.create_log_group(logGroupName=group)
    for s in ("i-0a", "i-0b"):
        logs.create_log_stream(logGroupName=group, logStreamName=s)
    t0 = int(time.time() * 1000) - 600_000
    line = '10.0.0.{i} - - [05/Dec/2026:10:00:00 +0000] "GET /p?{i} HTTP/1.1" 200 {i} "-" "Mozilla \\"x\\""'
    a = put(logs, group, "i-0a", [line.format(i=i) for i in range(1200)], t0)
    b = put(logs, group, "i-0b", [f"b {i} é" for i in range(30)], t0)
    source = connectors(source_config(group), broker.bootstrap, localstack.url).start()
    wait_for(lambda: source.stats().get("records_produced") == 1230, 60, 0.2, "1,230 records produced")
    check(read_topic(broker.bootstrap, f"{group}.i-0a", 1200), group, "i-0a", a)
    check(read_topic(broker.bootstrap, f"{group}.i-0b", 30), group, "i-0b", b)

    logs.create_log_stream(logGroupName=group, logStreamName="i-0c")     # picked up while running
    c = put(logs, group, "i-0c", ["c 0", "c 1"], t0)
    wait_for(lambda: source.stats().get("topics", {}).get(f"{group}.i-0c") == 2, 30, 0.2, "the new stream")
    check(read_topic(broker.bootstrap, f"{group}.i-0c", 2), group, "i-0c", c)

    assert source.stop() == 0
    a2 = put(logs, group, "i-0a", [f"after restart {i}" for i in range(5)], t0 + 5000)
    source.start()
    wait_for(lambda: source.stats().get("records_produced") == 5, 30, 0.2, "the 5 new events only")
    check(read_topic(broker.bootstrap, f"{group}.i-0a", 1205), group, "i-0a", a + a2)
    assert source.stats()["records_replayed"] == 0


def test_kill_9_mid_page_no_gap_duplicates_counted(localstack, broker, connectors, tmp_path):
    """The source is killed while a page's delivery is unconfirmed (the broker paused with
    SIGSTOP, so the records sit in flight), then the broker resumes and the source restarts:
    every event is in the topic, the page is produced again, and the duplicates that makes are
    at most the `records_replayed` the source counts."""
    logs = logs_client(localstack)
    group = unique("crashgroup")
    logs.create_log_group(logGroupName=group)
    logs.create_log_stream(logGroupName=group, logStreamName="s")
    t0 = int(time.time() * 1000) - 600_000
    events = put(logs, group, "s", ["event 00000"], t0)
    cfg = source_config(group, **{"aws.cloudwatch.log.streams": "s"})
    source = connectors(cfg, broker.bootstrap, localstack.url, tmp_path / "source").start()
    wait_for(lambda: source.stats().get("records_produced") == 1, 30, 0.1, "the first event")
    inflight = source.state_dir / f"{cfg['name']}.offsets.inflight"
    os.kill(broker.proc.pid, signal.SIGSTOP)
    try:
        events += put(logs, group, "s", [f"event {i:05d}" for i in range(1, 25_000)], t0 + 1)
        wait_for(inflight.exists, 30, 0.05, "a page in flight")
        source.kill()
    finally:
        os.kill(broker.proc.pid, signal.SIGCONT)
    source.start()
    wait_for(lambda: source.stats().get("streams", {}).get("s", {}).get("events") == 25_000, 90, 0.2,
             "every event delivered")
    replayed = source.stats()["records_replayed"]
    assert 0 < replayed <= 10_000                        # the page in flight, at most one page
    values = [json.loads(r.value()) for r in read_topic(broker.bootstrap, f"{group}.s", 25_000,
                                                                  distinct=lambda m: m.value())]
    assert sorted(set(values)) == [e["message"] for e in events]            # no gap
    duplicates = len(values) - len(set(values))
    print(f"kill -9 of the source: {duplicates} duplicates, {replayed} counted as replayed")
    assert duplicates <= replayed
    # Only the replayed page repeats: without it the topic is the stream in order.
    seen: set[str] = set()
    firsts = [v for v in values if not (v in seen or seen.add(v))]
    assert firsts == [e["message"] for e in events]


def test_logs_unreachable_is_retried_and_said(broker, connectors, tmp_path):
    from tests.conftest import free_port

    cfg = source_config("cloudwatchLogsEC2")
    source = connectors(cfg, broker.bootstrap, f"http://127.0.0.1:{free_port()}", tmp_path / "s").start()
    wait_for(lambda: source.stats().get("retries", 0) >= 2, 30, 0.2, "retries against a dead Logs endpoint")
    assert "Could not connect" in source.stats()["last_error"]
    assert source.stop() == 0 and not (source.state_dir / f"{cfg['name']}.offsets.json").exists()
