"""The S3 sink against a real broker and LocalStack's S3: object names and folders as Confluent
documents them (`topics/<topic>/year=YYYY/<topic>+<partition>+<start offset, 10 digits>.json`),
flush by count, rotation by record time, keys objects, a kill -9 and restart, and the exactly
once per offset names (a second group rewrites the very same objects)."""
from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from tests.kafka_connect.conftest import create_topic, produce, unique
from tests.support.waiting import wait_for

pytestmark = pytest.mark.localstack

T0 = int(datetime(2026, 3, 1, 12, 0, tzinfo=UTC).timestamp() * 1000)


def sink_config(topic: str, bucket: str, **overrides) -> dict:
    cfg = {"name": unique("sink-"), "connector.class": "S3_SINK", "topics": topic,
           "input.data.format": "JSON", "output.data.format": "JSON", "s3.bucket.name": bucket,
           "s3.region": "us-east-1", "topics.dir": "topics", "path.format": "'year'=YYYY",
           "time.interval": "HOURLY", "flush.size": "1000", "rotate.interval.ms": "10000",
           "rotate.schedule.interval.ms": "-1", "timezone": "UTC", "locale": "en",
           "store.kafka.keys": "true", "output.keys.format": "JSON", "tasks.max": "1",
           # Kafka Connect's per-connector client override: a quicker group join on the test broker
           "consumer.override.session.timeout.ms": "2000", "consumer.override.heartbeat.interval.ms": "500"}
    cfg.update({k: str(v) for k, v in overrides.items()})
    return cfg


@pytest.fixture()
def bucket(localstack):
    name = unique("sink-")
    localstack.client("s3").create_bucket(Bucket=name)
    return name


def objects(s3, bucket: str) -> dict[str, bytes]:
    out = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for o in page.get("Contents", []):
            out[o["Key"]] = s3.get_object(Bucket=bucket, Key=o["Key"])["Body"].read()
    return out


def name(topic: str, offset: int, year: int = 2026, ext: str = ".json") -> str:
    return f"topics/{topic}/year={year}/{topic}+0+{offset:010d}{ext}"


def records(n: int, start: int = 0, t0: int = T0) -> list[tuple[bytes, bytes, int]]:
    return [(json.dumps({"id": i}).encode(), json.dumps({"n": i, "line": f"l {i}"}).encode(), t0 + i)
            for i in range(start, start + n)]


def test_flush_by_count_then_rotation_by_record_time(localstack, broker, connectors, bucket):
    """2,500 records, flush.size 1000: objects at offsets 0 and 1000 at once; the last 500 stay
    open (record time does not move without records) until a record 10 s later arrives."""
    s3 = localstack.client("s3")
    topic = unique("clicks.")
    create_topic(broker.bootstrap, topic)
    produce(broker.bootstrap, topic, records(2500))
    sink = connectors(sink_config(topic, bucket), broker.bootstrap, localstack.url).start()
    wait_for(lambda: sink.stats().get("records_consumed") == 2500, 60, 0.2, "2,500 records consumed")
    wait_for(lambda: sink.stats().get("committed") == {f"{topic}+0": 2000}, 30, 0.2, "two objects committed")
    got = objects(s3, bucket)
    assert sorted(got) == sorted([name(topic, 0), name(topic, 0, ext=".keys.json"),
                                  name(topic, 1000), name(topic, 1000, ext=".keys.json")])
    assert sink.stats()["objects_written"] == 2 and sink.stats()["open_records"] == 500

    late = T0 + 2499 + 10_000      # 10 s after the open file's first record (offset 2000)... and later
    produce(broker.bootstrap, topic, [(b'{"id":"late"}', b'{"n":"late"}', late)])
    wait_for(lambda: sink.stats().get("committed") == {f"{topic}+0": 2500}, 30, 0.2, "the third object")
    got = objects(s3, bucket)
    lines = [line for off in (0, 1000, 2000) for line in got[name(topic, off)].decode().splitlines()]
    assert lines == [json.dumps({"n": i, "line": f"l {i}"}, separators=(",", ":")) for i in range(2500)]
    keys = got[name(topic, 2000, ext=".keys.json")].decode().splitlines()
    assert keys == [json.dumps({"id": i}, separators=(",", ":")) for i in range(2000, 2500)]
    assert sink.stats()["objects_written"] == 3 and sink.stats()["open_records"] == 1


def test_rotation_interval_uses_record_time_and_year_folders(localstack, broker, connectors, bucket):
    """rotate.interval.ms 10000: a record 10 s (or more) after the file's first closes it first;
    a record in another year closes it too (another path.format folder). The years are past ones:
    Kafka 4 refuses records more than an hour ahead of its clock
    (log.message.timestamp.after.max.ms)."""
    s3 = localstack.client("s3")
    topic = unique("rot.")
    create_topic(broker.bootstrap, topic)
    t0 = int(datetime(2025, 3, 1, 12, 0, tzinfo=UTC).timestamp() * 1000)
    new_year = int(datetime(2026, 1, 1, tzinfo=UTC).timestamp() * 1000)
    stamps = [t0, t0 + 3000, t0 + 9999,            # file 0: three records within 10 s
              t0 + 10_000, t0 + 12_000,             # file 3: starts at base + 10 s
              new_year - 1000, new_year,            # file 5 (2025, new base), file 6 (year=2026)
              new_year + 60_000]                    # closes file 6; stays open
    produce(broker.bootstrap, topic, [(None, json.dumps(i).encode(), ts) for i, ts in enumerate(stamps)])
    sink = connectors(sink_config(topic, bucket, **{"store.kafka.keys": "false"}),
                      broker.bootstrap, localstack.url).start()
    wait_for(lambda: sink.stats().get("objects_written") == 4, 60, 0.2, "four objects")
    got = objects(s3, bucket)
    assert got == {name(topic, 0, year=2025): b"0\n1\n2\n", name(topic, 3, year=2025): b"3\n4\n",
                   name(topic, 5, year=2025): b"5\n", name(topic, 6): b"6\n"}


def test_kill_9_and_restart_no_gap_same_names(localstack, broker, connectors, bucket, tmp_path):
    """kill -9 of the sink mid-stream, restart: every offset in exactly one object, the same
    names as an uninterrupted run; a second group over the same topic rewrites the same objects."""
    s3 = localstack.client("s3")
    topic = unique("crash.")
    create_topic(broker.bootstrap, topic)
    # Half the records first, the rest after the kill: the sink cannot have finished before
    # it, however slow this process is to notice the first objects (a loaded machine).
    lines = records(6000)
    produce(broker.bootstrap, topic, lines[:3000])
    cfg = sink_config(topic, bucket, **{"output.keys.format": "BYTES", "flush.size": 200})
    sink = connectors(cfg, broker.bootstrap, localstack.url, tmp_path / "sink").start()
    wait_for(lambda: sink.log().count("wrote s3://") >= 5, 60, 0.02, "five objects")
    sink.kill()
    written_before = sink.log().count("wrote s3://")
    assert written_before <= 15, "objects beyond the records produced"
    produce(broker.bootstrap, topic, lines[3000:] + [(b"1", b'"end"', T0 + 60_000)])
    sink.start()
    wait_for(lambda: sink.stats().get("committed", {}).get(f"{topic}+0") == 6000, 60, 0.2, "all committed")
    offsets = range(0, 6000, 200)
    expected = {name(topic, o) for o in offsets} | {name(topic, o, ext=".keys.bin") for o in offsets}
    got = objects(s3, bucket)
    assert set(got) == expected
    written = [line for o in offsets for line in got[name(topic, o)].decode().splitlines()]
    assert written == [json.dumps({"n": i, "line": f"l {i}"}, separators=(",", ":")) for i in range(6000)]
    keys = got[name(topic, 5800, ext=".keys.bin")].decode().splitlines()
    assert keys == [json.dumps({"id": i}) for i in range(5800, 6000)]     # the key's bytes, as produced
    # Objects written before the kill whose commit was lost are written again, same name and bytes.
    assert sink.stats()["objects_written"] + written_before >= 30
    sink.stop()

    other = connectors({**cfg, "name": unique("sink2-")}, broker.bootstrap, localstack.url).start()
    wait_for(lambda: other.stats().get("committed", {}).get(f"{topic}+0") == 6000, 60, 0.2,
             "the second group committed all 6,000")
    # Every object it wrote was one already there. On a loaded machine its group may rebalance
    # and a lost commit has a file written once more, so the counts are at least, not exactly, 30.
    stats = other.stats()
    assert stats["objects_written"] == stats["objects_rewritten"] >= 30, stats
    assert stats["records_rewritten"] == 200 * stats["objects_rewritten"], stats
    assert objects(s3, bucket) == got


def test_topics_regex_wallclock_schedule(localstack, broker, connectors, bucket):
    """topics.regex picks up a topic created after the start; rotate.schedule.interval.ms closes
    open files on the wall clock, with no further record."""
    s3 = localstack.client("s3")
    prefix = unique("rx")
    cfg = sink_config("", bucket, **{"topics.regex": f"{prefix}\\..*", "rotate.schedule.interval.ms": 1000,
                                     "store.kafka.keys": "false"})
    del cfg["topics"]
    sink = connectors(cfg, broker.bootstrap, localstack.url).start()
    topic = f"{prefix}.a"
    create_topic(broker.bootstrap, topic)
    produce(broker.bootstrap, topic, records(10))
    wait_for(lambda: sink.stats().get("objects_written") == 1, 60, 0.2, "one object by the schedule")
    assert list(objects(s3, bucket)) == [name(topic, 0)]


def test_s3_down_retries_and_loses_nothing(localstack, broker, connectors, bucket, tmp_path):
    """With S3 unreachable the sink retries, commits nothing and says why; the next run (S3
    back) writes the same objects from the uncommitted offsets."""
    from tests.conftest import free_port

    s3 = localstack.client("s3")
    topic = unique("down.")
    create_topic(broker.bootstrap, topic)
    produce(broker.bootstrap, topic, records(1000))
    cfg = sink_config(topic, bucket, **{"store.kafka.keys": "false"})
    down = connectors(cfg, broker.bootstrap, f"http://127.0.0.1:{free_port()}", tmp_path / "down").start()
    wait_for(lambda: down.stats().get("retries", 0) >= 2, 180, 0.2, "retries against a dead S3")
    assert "PutObject" in down.stats()["last_error"] or "HeadObject" in down.stats()["last_error"]
    assert down.stats()["committed"] == {} and down.stop() == 0
    up = connectors(cfg, broker.bootstrap, localstack.url, tmp_path / "up").start()
    wait_for(lambda: up.stats().get("committed") == {f"{topic}+0": 1000}, 180, 0.2, "committed after S3 is back")
    assert list(objects(s3, bucket)) == [name(topic, 0)]
