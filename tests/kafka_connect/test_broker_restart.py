"""Both connectors running while the broker (Apache Kafka, its log dirs on disk as the lab keeps
them) is killed with SIGKILL and started again: every CloudWatch Logs event ends up in the sink's
objects; duplicates only as the source counts them."""
from __future__ import annotations

import json
import signal
import time

import pytest
from confluent_kafka import Producer

from tests.conftest import free_port
from tests.kafka_connect.conftest import unique
from tests.kafka_connect.test_cloudwatch_source import logs_client, put, source_config
from tests.kafka_connect.test_s3_sink import objects, sink_config
from tests.support.kafka_broker import running_broker
from tests.support.waiting import wait_for

pytestmark = pytest.mark.localstack


def test_broker_kill_9_and_restart_loses_nothing(localstack, connectors, tmp_path):
    s3 = localstack.client("s3")
    sink_bucket = unique("lake-")
    s3.create_bucket(Bucket=sink_bucket)
    logs = logs_client(localstack)
    group = unique("cloudwatchLogsEC2")
    logs.create_log_group(logGroupName=group)
    logs.create_log_stream(logGroupName=group, logStreamName="i-1")
    topic = f"{group}.i-1"
    t0 = int(time.time() * 1000) - 600_000
    with running_broker(tmp_path, free_port()) as broker:
        source = connectors(source_config(group), broker.bootstrap, localstack.url).start()
        sink = connectors(sink_config(topic, sink_bucket, **{"flush.size": 500,
                                                             "rotate.schedule.interval.ms": 1000}),
                          broker.bootstrap, localstack.url).start()
        events = put(logs, group, "i-1", [f"line {i}" for i in range(1500)], t0)
        wait_for(lambda: sink.stats().get("records_written", 0) >= 500, 180, 0.1, "the sink writing")
        broker.kill()
        events += put(logs, group, "i-1", [f"line {i}" for i in range(1500, 3000)], t0 + 1500)
        time.sleep(2)          # both connectors meet a dead broker (and retry)
        broker.start()
        events += put(logs, group, "i-1", [f"line {i}" for i in range(3000, 3500)], t0 + 3000)

        wanted = {e["message"] for e in events}

        def all_lines():
            lines = [json.loads(line) for k, body in objects(s3, sink_bucket).items()
                     if not k.endswith(".keys.json") for line in body.decode().splitlines()]
            return lines if set(lines) >= wanted else None

        try:
            lines = wait_for(all_lines, 240, 1, "every event in the sink's objects")
        except AssertionError as error:  # say where the events stopped
            have = {json.loads(line) for k, body in objects(s3, sink_bucket).items()
                    if not k.endswith(".keys.json") for line in body.decode().splitlines()}
            raise AssertionError(f"{error}: {len(wanted - have)} of {len(wanted)} events missing; "
                                 f"source {source.stats()}; sink {sink.stats()}\nsource log: {source.log()}"
                                 f"\nsink log: {sink.log()}\nbroker log: {broker.log_file.read_text()[-3000:]}"
                                 ) from None
    duplicates = len(lines) - len(set(lines))
    print(f"broker kill -9: {len(lines)} lines, {duplicates} duplicates; source {source.stats()}; "
          f"sink {sink.stats()}")
    assert set(lines) == wanted
    assert duplicates <= source.stats().get("records_replayed", 0) + sink.stats().get("records_rewritten", 0)


def test_sink_forgotten_by_a_restarted_broker_commits_after_rejoining(localstack, connectors, tmp_path):
    """The sink is paused (SIGSTOP) with an open file while the broker is killed and restarted,
    so the restarted broker's group no longer knows it. Resumed, its wall-clock rotation writes
    the file and commits at once: Kafka answers UNKNOWN_MEMBER_ID. The sink must not retry that
    commit in a loop (only polling rejoins the group): it keeps the offset pending, rejoins and
    commits, and every record ends in an object; later records too."""
    s3 = localstack.client("s3")
    sink_bucket = unique("lake-")
    s3.create_bucket(Bucket=sink_bucket)
    topic = unique("topic-")
    with running_broker(tmp_path, free_port()) as broker:
        producer = Producer({"bootstrap.servers": broker.bootstrap, "acks": "all"})

        def produce(first: int, count: int) -> None:
            for i in range(first, first + count):
                producer.produce(topic, json.dumps(f"record {i}").encode())
            assert producer.flush(30) == 0

        produce(0, 300)
        sink = connectors(sink_config(topic, sink_bucket, **{"flush.size": 100_000,
                                                             "rotate.schedule.interval.ms": 4000}),
                          broker.bootstrap, localstack.url).start()
        wait_for(lambda: sink.stats().get("records_consumed", 0) >= 300, 120, 0.1, "the sink reading")
        sink.proc.send_signal(signal.SIGSTOP)
        try:
            broker.kill()
            broker.start()
            time.sleep(5)   # past the sink's next scheduled rotation
        finally:
            sink.proc.send_signal(signal.SIGCONT)
        produce(300, 200)

        def written() -> set | None:
            lines = {json.loads(line) for k, body in objects(s3, sink_bucket).items()
                     if not k.endswith(".keys.json") for line in body.decode().splitlines()}
            return lines if len(lines) >= 500 else None

        try:
            lines = wait_for(written, 120, 1, "all 500 records in the sink's objects")
        except AssertionError as error:
            raise AssertionError(f"{error}; sink {sink.stats()}\nsink log: {sink.log()}") from None
        assert lines == {f"record {i}" for i in range(500)}
        # the broker made the topic (4 partitions by default): every partition's offset committed
        wait_for(lambda: sum(offset for name, offset in sink.stats().get("committed", {}).items()
                             if name.startswith(f"{topic}+")) == 500, 60, 0.5,
                 "the sink's offsets committed after the rejoin")
