"""The connectors' configuration: Confluent's JSON shape read, checked at start-up, typed.

A config file is either `{"name": ..., "config": {...}}` (what Confluent Cloud's and Connect's
REST API show) or the flat `{...}` map. Every value may be a string, as Connect stores them.
A bad value raises ConfigError naming the key; keys the lab accepts but does not act on are
listed in IGNORED_* with the reason (README.md, "Configuration keys").
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

SOURCE_CLASSES = {"io.confluent.connect.aws.cloudwatch.AwsCloudWatchSourceConnector", "CloudWatchLogsSource"}
SINK_CLASSES = {"io.confluent.connect.s3.S3SinkConnector", "S3_SINK"}

# Accepted and not acted on; the value says why (README.md repeats it).
IGNORED_COMMON = {
    "kafka.auth.mode": "the lab's broker is plaintext on 127.0.0.1: no API keys",
    "kafka.api.key": "the lab's broker is plaintext on 127.0.0.1: no API keys",
    "kafka.api.secret": "the lab's broker is plaintext on 127.0.0.1: no API keys",
    "kafka.service.account.id": "the lab's broker has no service accounts",
    "aws.access.key.id": "LocalStack accepts any credentials; the lab sends `test`",
    "aws.secret.access.key": "LocalStack accepts any credentials; the lab sends `test`",
    "aws.credentials.provider.class": "LocalStack accepts any credentials; the lab sends `test`",
    "confluent.license": "no licence topic: the lab's connectors are its own processes",
    "confluent.topic.bootstrap.servers": "no licence topic: --bootstrap is the broker",
    "confluent.topic.replication.factor": "no licence topic; the lab's broker is one node",
    "key.converter": "the record format is fixed by the Cloud format keys (README.md)",
    "value.converter": "the record format is fixed by the Cloud format keys (README.md)",
    "value.converter.schemas.enable": "JSON without schemas, as Confluent Cloud's JSON format",
    "errors.tolerance": "every error is retried or stops the connector; nothing is skipped",
}
IGNORED_SINK = {
    "s3.part.size": "objects are written with one PutObject (a flush.size file is small)",
    "s3.wan.mode": "no transfer acceleration on LocalStack",
    "s3.object.tagging": "no object tags are written",
    "s3.ssea.name": "LocalStack's S3 does not encrypt",
    "s3.compression.type": "only uncompressed JSON is written",
    "output.headers.format": "store.kafka.headers must be false: headers are not written",
    "schema.compatibility": "JSON without schemas: no schema changes rotate files",
    "enhanced.avro.schema.support": "Avro only",
    "subject.name.strategy": "no Schema Registry",
    "tombstone.encoded.partition": "tombstones follow behavior.on.null.values (ignore or fail)",
    "s3.schema.partition.affix.type": "JSON without schemas",
    "value.converter.connect.meta.data": "Avro only",
    "storage.class": "S3 is the only storage",
    "schema.generator.class": "JSON without schemas",
    "s3.retry.backoff.ms": "S3 calls are retried with the lab's own backoff",
    "retry.backoff.ms": "Kafka and S3 calls are retried with the lab's own backoff",
}
IGNORED_SOURCE = {
    "aws.cloudwatch.logs.url": "read for its region only: the endpoint is always --aws-endpoint",
}


class ConfigError(ValueError):
    """A connector config the lab refuses; the message names the key."""

    def __init__(self, key: str, problem: str):
        super().__init__(f"connector config: {key}: {problem}")
        self.key = key


@dataclass(frozen=True)
class SourceConfig:
    name: str
    log_group: str
    log_streams: tuple[str, ...]      # empty: every stream of the group, new ones picked up
    poll_interval_ms: int
    topic_format: str
    region: str
    key_format: str                   # STRING (Cloud's default: Struct{...}) or JSON
    tasks_max: int


@dataclass(frozen=True)
class SinkConfig:
    name: str
    topics: tuple[str, ...]
    topics_regex: str
    bucket: str
    region: str
    topics_dir: str
    flush_size: int
    rotate_interval_ms: int
    rotate_schedule_interval_ms: int
    partitioner: str                  # default | time
    path_format: str
    partition_duration_ms: int
    timestamp_extractor: str          # Record | RecordField | Wallclock
    timestamp_field: str
    timezone: str
    locale: str
    input_format: str                 # JSON | STRING | BYTES
    store_keys: bool
    keys_format: str                  # JSON | BYTES
    null_values: str                  # ignore | fail
    offset_pad: int
    tasks_max: int
    consumer_overrides: tuple[tuple[str, str], ...] = ()   # consumer.override.<key> (Kafka Connect)


def load(path: Path) -> dict[str, str]:
    """The connector's key/value map from a JSON file (either shape)."""
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as e:
        raise ConfigError("(file)", f"cannot read {path}: {e}") from None
    if not isinstance(doc, dict):
        raise ConfigError("(file)", f"{path} is not a JSON object")
    cfg = doc.get("config", doc)
    if not isinstance(cfg, dict):
        raise ConfigError("config", "is not a JSON object")
    out = {str(k): ("" if v is None else str(v).lower() if isinstance(v, bool) else str(v))
           for k, v in cfg.items()}
    if "name" not in out and isinstance(doc.get("name"), str):
        out["name"] = doc["name"]
    return out


def kind(cfg: dict[str, str]) -> str:
    cls = cfg.get("connector.class", "")
    if cls in SOURCE_CLASSES:
        return "source"
    if cls in SINK_CLASSES:
        return "sink"
    raise ConfigError("connector.class", f"{cls or '(missing)'!r} is neither "
                      f"{' / '.join(sorted(SOURCE_CLASSES))} nor {' / '.join(sorted(SINK_CLASSES))}")


def _required(cfg: dict[str, str], key: str) -> str:
    value = cfg.get(key, "").strip()
    if not value:
        raise ConfigError(key, "is required")
    return value


def _int(cfg: dict[str, str], key: str, default: int | None, minimum: int | None = None) -> int:
    raw = cfg.get(key, "").strip()
    if not raw:
        if default is None:
            raise ConfigError(key, "is required")
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(key, f"{raw!r} is not an integer") from None
    if minimum is not None and value < minimum:
        raise ConfigError(key, f"{value} is below the minimum {minimum}")
    return value


def _bool(cfg: dict[str, str], key: str, default: bool) -> bool:
    raw = cfg.get(key, "").strip().lower()
    if not raw:
        return default
    if raw not in ("true", "false"):
        raise ConfigError(key, f"{raw!r} is not true or false")
    return raw == "true"


def _choice(cfg: dict[str, str], key: str, default: str, choices: dict[str, str]) -> str:
    raw = cfg.get(key, "").strip() or default
    if raw not in choices:
        raise ConfigError(key, f"{raw!r} is not supported here (supported: {', '.join(choices)})")
    return choices[raw]


def region_of_logs_url(url: str) -> str:
    """`https://logs.ap-south-1.amazonaws.com/` -> ap-south-1 (us-east-1 when absent)."""
    m = re.match(r"^(?:https?://)?logs[.-]([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?/?$", url.strip())
    if url.strip() and not m:
        raise ConfigError("aws.cloudwatch.logs.url", f"{url!r} is not a CloudWatch Logs endpoint "
                          "(https://logs.<region>.amazonaws.com)")
    return m.group(1) if m else "us-east-1"


def source_config(cfg: dict[str, str]) -> SourceConfig:
    streams = tuple(s.strip() for s in cfg.get("aws.cloudwatch.log.streams", "").split(",") if s.strip())
    fmt = cfg.get("kafka.topic.format", "").strip() or "${log-group}.${log-stream}"
    leftover = re.sub(r"\$\{log-(group|stream)\}", "", fmt)
    if "${" in leftover:
        raise ConfigError("kafka.topic.format", f"{fmt!r}: only ${{log-group}} and ${{log-stream}} are variables")
    _choice(cfg, "output.data.format", "JSON", {"JSON": "JSON"})
    return SourceConfig(
        name=cfg.get("name", "") or "CloudWatchLogsSource",
        log_group=_required(cfg, "aws.cloudwatch.log.group"),
        log_streams=streams,
        poll_interval_ms=_int(cfg, "aws.poll.interval.ms", 1000, minimum=1),
        topic_format=fmt,
        region=region_of_logs_url(cfg.get("aws.cloudwatch.logs.url", "")),
        key_format=_choice(cfg, "output.key.format", "STRING", {"STRING": "STRING", "JSON": "JSON"}),
        tasks_max=_int(cfg, "tasks.max", 1, minimum=1),
    )


PARTITIONERS = {
    "io.confluent.connect.storage.partitioner.TimeBasedPartitioner": "time",
    "io.confluent.connect.storage.partitioner.DailyPartitioner": "daily",
    "io.confluent.connect.storage.partitioner.HourlyPartitioner": "hourly",
    "io.confluent.connect.storage.partitioner.DefaultPartitioner": "default",
}
TIME_INTERVALS = {"HOURLY": 3_600_000, "DAILY": 86_400_000}   # Confluent Cloud's time.interval
EXTRACTORS = {"Record": "Record", "RecordField": "RecordField", "Wallclock": "Wallclock"}


def sink_config(cfg: dict[str, str]) -> SinkConfig:
    topics = tuple(t.strip() for t in cfg.get("topics", "").split(",") if t.strip())
    regex = cfg.get("topics.regex", "").strip()
    if bool(topics) == bool(regex):
        raise ConfigError("topics", "give exactly one of topics and topics.regex")
    if regex:
        try:
            re.compile(regex)
        except re.error as e:
            raise ConfigError("topics.regex", f"{regex!r}: {e}") from None
    _choice(cfg, "format.class", "io.confluent.connect.s3.format.json.JsonFormat",
            {"io.confluent.connect.s3.format.json.JsonFormat": "JSON"})
    _choice(cfg, "output.data.format", "JSON", {"JSON": "JSON"})
    if _bool(cfg, "store.kafka.headers", False):
        raise ConfigError("store.kafka.headers", "true is not supported here: headers are not written")
    # Confluent Cloud: time.interval / path.format select the TimeBasedPartitioner.
    interval = cfg.get("time.interval", "").strip()
    if interval and interval not in TIME_INTERVALS:
        raise ConfigError("time.interval", f"{interval!r} is not HOURLY or DAILY")
    default_partitioner = ("io.confluent.connect.storage.partitioner.TimeBasedPartitioner"
                           if interval or cfg.get("path.format") else
                           "io.confluent.connect.storage.partitioner.DefaultPartitioner")
    partitioner = _choice(cfg, "partitioner.class", default_partitioner, PARTITIONERS)
    path_format, duration = "", 0
    if partitioner == "daily":
        partitioner, path_format, duration = "time", "'year'=YYYY/'month'=MM/'day'=dd", 86_400_000
    elif partitioner == "hourly":
        partitioner, path_format, duration = "time", "'year'=YYYY/'month'=MM/'day'=dd/'hour'=HH", 3_600_000
    elif partitioner == "time":
        path_format = _required(cfg, "path.format")
        duration = _int(cfg, "partition.duration.ms", TIME_INTERVALS.get(interval), minimum=1)
    extractor = _choice(cfg, "timestamp.extractor", "Record", EXTRACTORS)
    field = cfg.get("timestamp.field", "timestamp").strip() or "timestamp"
    timezone = cfg.get("timezone", "").strip()
    if partitioner == "time" or cfg.get("rotate.schedule.interval.ms", "-1").strip() not in ("", "-1"):
        timezone = timezone or _required(cfg, "timezone")
    _check_timezone(timezone)
    return SinkConfig(
        name=cfg.get("name", "") or "S3_SINK",
        topics=topics, topics_regex=regex,
        bucket=_required(cfg, "s3.bucket.name"),
        region=cfg.get("s3.region", "").strip() or "us-west-2",
        topics_dir=(cfg.get("topics.dir", "").strip() or "topics").strip("/"),
        flush_size=_int(cfg, "flush.size", None, minimum=1),
        rotate_interval_ms=_int(cfg, "rotate.interval.ms", -1, minimum=-1),
        rotate_schedule_interval_ms=_int(cfg, "rotate.schedule.interval.ms", -1, minimum=-1),
        partitioner=partitioner, path_format=path_format, partition_duration_ms=duration,
        timestamp_extractor=extractor, timestamp_field=field,
        timezone=timezone or "UTC", locale=cfg.get("locale", "").strip() or "en",
        input_format=_choice(cfg, "input.data.format", "JSON",
                             {"JSON": "JSON", "STRING": "STRING", "BYTES": "BYTES"}),
        store_keys=_bool(cfg, "store.kafka.keys", False),
        keys_format=_keys_format(cfg),
        null_values=_choice(cfg, "behavior.on.null.values", "ignore", {"ignore": "ignore", "fail": "fail"}),
        offset_pad=_int(cfg, "filename.offset.zero.pad.width", 10, minimum=0),
        tasks_max=_int(cfg, "tasks.max", 1, minimum=1),
        consumer_overrides=_consumer_overrides(cfg),
    )


CONSUMER_OVERRIDES = ("session.timeout.ms", "heartbeat.interval.ms")


def _consumer_overrides(cfg: dict[str, str]) -> tuple[tuple[str, str], ...]:
    out = []
    for key in sorted(k for k in cfg if k.startswith("consumer.override.")):
        name = key.removeprefix("consumer.override.")
        if name not in CONSUMER_OVERRIDES:
            raise ConfigError(key, f"only {', '.join(CONSUMER_OVERRIDES)} can be overridden here")
        out.append((name, str(_int(cfg, key, None, minimum=1))))
    return tuple(out)


def _keys_format(cfg: dict[str, str]) -> str:
    if cfg.get("keys.format.class"):
        return _choice(cfg, "keys.format.class", "", {
            "io.confluent.connect.s3.format.json.JsonFormat": "JSON",
            "io.confluent.connect.s3.format.bytearray.ByteArrayFormat": "BYTES"})
    return _choice(cfg, "output.keys.format", "JSON", {"JSON": "JSON", "BYTES": "BYTES", "STRING": "BYTES"})


def _check_timezone(tz: str) -> None:
    if not tz:
        return
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError("timezone", f"{tz!r} is not a time zone id") from None


def unknown_keys(cfg: dict[str, str], connector: str) -> list[str]:
    """Keys neither acted on nor in the ignored lists (logged as a warning, as Connect does)."""
    known = set(IGNORED_COMMON) | {"connector.class", "name", "tasks.max"}
    if connector == "source":
        known |= set(IGNORED_SOURCE) | {"aws.cloudwatch.log.group", "aws.cloudwatch.log.streams",
                                        "aws.poll.interval.ms", "kafka.topic.format",
                                        "output.data.format", "output.key.format"}
    else:
        known |= set(IGNORED_SINK) | {
            "topics", "topics.regex", "s3.bucket.name", "s3.region", "topics.dir", "flush.size",
            "rotate.interval.ms", "rotate.schedule.interval.ms", "partitioner.class", "path.format",
            "partition.duration.ms", "time.interval", "timestamp.extractor", "timestamp.field",
            "timezone", "locale", "format.class", "input.data.format", "output.data.format",
            "store.kafka.keys", "store.kafka.headers", "keys.format.class", "output.keys.format",
            "behavior.on.null.values", "filename.offset.zero.pad.width"}
    return sorted(k for k in cfg if k not in known and not k.startswith("consumer.override."))


def ignored_keys(cfg: dict[str, str], connector: str) -> dict[str, str]:
    table = {**IGNORED_COMMON, **(IGNORED_SOURCE if connector == "source" else IGNORED_SINK)}
    return {k: table[k] for k in cfg if k in table}
