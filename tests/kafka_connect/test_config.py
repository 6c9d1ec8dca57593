"""Unit tests: the lab's two connector configs read as Confluent documents them, refusals that
name the key, path.format (Joda) against Python's own calendar, and the writer's rotation rules
on Confluent's numbers (flush.size 1000 over 2,500 records -> files at 0, 1000, 2000)."""
from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from kafka_connect import config
from kafka_connect.__main__ import main
from kafka_connect.partition_writer import PartitionWriter
from kafka_connect.partitioner import Partitioner

pytestmark = pytest.mark.unit
CONFIG_DIR = Path(__file__).resolve().parents[2] / "services/kafka_connect/config"


def lab_config(name: str) -> dict[str, str]:
    return config.load(CONFIG_DIR / name)


def test_the_labs_source_config():
    raw = lab_config("cloudwatch-logs-source.json")
    assert config.kind(raw) == "source" and config.unknown_keys(raw, "source") == []
    cfg = config.source_config(raw)
    assert (cfg.log_group, cfg.log_streams, cfg.poll_interval_ms, cfg.topic_format, cfg.region) == (
        "cloudwatchLogsEC2", (), 1000, "${log-group}.${log-stream}", "ap-south-1")
    assert set(raw["aws.secret.access.key"]) == {"*"} and set(raw["kafka.api.secret"]) == {"*"}


def test_the_labs_sink_config():
    raw = lab_config("s3-sink.json")
    assert config.kind(raw) == "sink" and config.unknown_keys(raw, "sink") == []
    cfg = config.sink_config(raw)
    assert (cfg.bucket, cfg.topics_dir, cfg.flush_size, cfg.rotate_interval_ms, cfg.rotate_schedule_interval_ms,
            cfg.partitioner, cfg.path_format, cfg.partition_duration_ms, cfg.timezone, cfg.store_keys,
            cfg.keys_format, cfg.input_format) == (
        "cloudwatch-kafka-lab", "topics", 1000, 10000, -1, "time", "'year'=YYYY", 3_600_000, "UTC", True,
        "BYTES", "JSON")


@pytest.mark.parametrize("change, key", [
    ({"aws.cloudwatch.log.group": ""}, "aws.cloudwatch.log.group"),
    ({"aws.poll.interval.ms": "soon"}, "aws.poll.interval.ms"),
    ({"kafka.topic.format": "${topic}"}, "kafka.topic.format"),
    ({"output.data.format": "AVRO"}, "output.data.format"),
    ({"aws.cloudwatch.logs.url": "http://example.com"}, "aws.cloudwatch.logs.url"),
    ({"connector.class": "io.confluent.connect.jdbc.JdbcSourceConnector"}, "connector.class"),
])
def test_source_refusals_name_the_key(change, key):
    raw = {**lab_config("cloudwatch-logs-source.json"), **change}
    with pytest.raises(config.ConfigError) as e:
        config.source_config(raw) if config.kind(raw) == "source" else None
    assert e.value.key == key and key in str(e.value)


@pytest.mark.parametrize("change, key", [
    ({"flush.size": "0"}, "flush.size"),
    ({"flush.size": ""}, "flush.size"),
    ({"topics": "a"}, "topics"),                       # with topics.regex: one of them only
    ({"topics.regex": "("}, "topics.regex"),
    ({"path.format": "'year'=YYYY/'q'=Q"}, "path.format"),
    ({"timezone": "Mars/Olympus"}, "timezone"),
    ({"time.interval": "WEEKLY"}, "time.interval"),
    ({"store.kafka.headers": "true"}, "store.kafka.headers"),
    ({"store.kafka.keys": "yes"}, "store.kafka.keys"),
    ({"input.data.format": "PROTOBUF"}, "input.data.format"),
    ({"timestamp.extractor": "Header"}, "timestamp.extractor"),
    ({"s3.bucket.name": ""}, "s3.bucket.name"),
    ({"consumer.override.fetch.max.bytes": "1"}, "consumer.override.fetch.max.bytes"),
    ({"consumer.override.session.timeout.ms": "x"}, "consumer.override.session.timeout.ms"),
])
def test_sink_refusals_name_the_key(change, key):
    raw = {**lab_config("s3-sink.json"), **change}
    with pytest.raises(config.ConfigError) as e:
        Partitioner(config.sink_config(raw))
    assert e.value.key == key and key in str(e.value)


def test_the_command_line_refuses_without_a_localstack_endpoint(capsys, tmp_path):
    args = ["--config", str(CONFIG_DIR / "s3-sink.json"), "--bootstrap", "127.0.0.1:1", "--state-dir",
            str(tmp_path)]
    assert main(args) == 2
    assert "--aws-endpoint" in capsys.readouterr().err
    assert main([*args, "--aws-endpoint", "https://s3.ap-south-1.amazonaws.com"]) == 2
    assert "real AWS" in capsys.readouterr().err
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"config": {**lab_config("s3-sink.json"), "flush.size": "-5"}}))
    assert main(["--config", str(bad), *args[2:], "--aws-endpoint", "http://127.0.0.1:1"]) == 2
    assert "flush.size" in capsys.readouterr().err


def sink(**overrides) -> config.SinkConfig:
    return config.sink_config({**lab_config("s3-sink.json"), **{k.replace("_", "."): str(v)
                                                                for k, v in overrides.items()}})


@pytest.mark.parametrize("ts", ["2015-12-31T23:59:59.999+00:00", "2026-03-29T01:30:00+00:00",
                                "2026-10-25T00:30:00+00:00", "2024-02-29T12:00:00+00:00"])
@pytest.mark.parametrize("zone", ["UTC", "Europe/Berlin", "Asia/Kolkata"])
def test_time_based_partitioner_matches_pythons_calendar(ts, zone):
    """Hourly folders in a zone (DST days included) equal strftime of the hour's start there."""
    cfg = sink(path_format="'year'=YYYY/'month'=MM/'day'=dd/'hour'=HH", timezone=zone)
    epoch = int(datetime.fromisoformat(ts).timestamp() * 1000)
    local = datetime.fromtimestamp(epoch / 1000, UTC).astimezone(ZoneInfo(zone))
    assert Partitioner(cfg).encode(0, epoch) == local.strftime("year=%Y/month=%m/day=%d/hour=%H")
    daily = sink(path_format="YYYY-MM-dd", partition_duration_ms=86_400_000, timezone=zone)
    assert Partitioner(daily).encode(0, epoch) == local.strftime("%Y-%m-%d")


def test_default_partitioner_and_quotes():
    assert Partitioner(sink(partitioner_class="io.confluent.connect.storage.partitioner.DefaultPartitioner",
                            path_format="", time_interval="")).encode(3, 0) == "partition=3"
    assert Partitioner(sink(path_format="'it''s' YYYY MMM")).encode(0, 0) == "it's 1970 Jan"


def writer(**overrides) -> PartitionWriter:
    cfg = sink(**overrides)
    return PartitionWriter(cfg, Partitioner(cfg), "t", 0)


def test_flush_size_2500_records():
    w, t0 = writer(store_kafka_keys="false"), 1_767_225_600_000
    closed = [f for i in range(2500) for f in w.add(i, t0 + i, None, b'{"a":1}')]
    assert [(f.start_offset, f.next_offset, f.records) for f in closed] == [(0, 1000, 1000), (1000, 2000, 1000)]
    assert len(w.lines) == 500 and w.idle(t0 + 10**9) is None    # record time: no record, no rotation
    late = w.add(2500, t0 + 2000 + 10_000, None, b"2")            # 10 s after the open file's first
    assert [(f.start_offset, f.records) for f in late] == [(2000, 500)]
    assert w.object_key(late[0], ".json") == "topics/t/year=2026/t+0+0000002000.json"


def test_wallclock_rotates_when_idle():
    w = writer(timestamp_extractor="Wallclock", store_kafka_keys="false")
    w.add(0, None, None, b"1")
    assert w.idle(w.base_ts + 9_999) is None
    assert w.idle(w.base_ts + 10_000).records == 1


def test_record_field_extractor_and_values():
    w = writer(timestamp_extractor="RecordField", timestamp_field="event.time", flush_size=2)
    closed = w.add(7, None, b'{"k":1}', b'{"event": {"time": "2025-06-01T10:00:00Z"}, "x": "\\u00e9"}')
    closed += w.add(8, None, None, b'{"event": {"time": 1748772000000}}')
    assert closed[0].encoded_partition == "year=2025" and closed[0].start_offset == 7
    assert closed[0].values == '{"event":{"time":"2025-06-01T10:00:00Z"},"x":"é"}\n{"event":{"time":1748772000000}}\n'.encode()
    assert closed[0].keys == b'{"k":1}\n\n'       # BYTES keys: the key's bytes, an empty line for none
