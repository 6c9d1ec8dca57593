"""The S3 sink's partitioners and timestamp extractors, as Confluent's storage-common has them.

TimeBasedPartitioner: the record's timestamp (from the extractor) is floored to
`partition.duration.ms` in `timezone`, then formatted with `path.format`, a Joda-Time pattern
(`'year'=YYYY/'month'=MM`): letters are fields, text in single quotes is literal, `''` is a
quote. DefaultPartitioner: `partition=<kafka partition>`.
"""
from __future__ import annotations

import calendar
import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from kafka_connect.config import ConfigError, SinkConfig

FIELDS = set("yYMdHmsS")


def parse_joda(pattern: str) -> list[tuple[str, str]]:
    """[("lit", text) | ("field", "YYYY")...]; an unsupported letter raises ConfigError."""
    out: list[tuple[str, str]] = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "'":
            if pattern[i + 1:i + 2] == "'":
                out.append(("lit", "'"))
                i += 2
                continue
            text, j = [], i + 1              # quoted literal; '' inside it is one quote
            while True:
                if j >= len(pattern):
                    raise ConfigError("path.format", f"{pattern!r}: unclosed quote")
                if pattern[j] == "'":
                    if pattern[j + 1:j + 2] == "'":
                        text.append("'")
                        j += 2
                        continue
                    break
                text.append(pattern[j])
                j += 1
            out.append(("lit", "".join(text)))
            i = j + 1
        elif c.isalpha():
            j = i
            while j < len(pattern) and pattern[j] == c:
                j += 1
            if c not in FIELDS:
                raise ConfigError("path.format", f"{pattern!r}: pattern letter {c!r} is not supported "
                                  f"(supported: {''.join(sorted(FIELDS))})")
            out.append(("field", pattern[i:j]))
            i = j
        else:
            out.append(("lit", c))
            i += 1
    return out


def format_joda(tokens: list[tuple[str, str]], dt: datetime) -> str:
    parts = []
    for kind, text in tokens:
        if kind == "lit":
            parts.append(text)
            continue
        letter, width = text[0], len(text)
        if letter in "yY":
            parts.append(f"{dt.year % 100:02d}" if width == 2 else f"{dt.year:0{width}d}")
        elif letter == "M":
            if width >= 4:
                parts.append(calendar.month_name[dt.month])
            elif width == 3:
                parts.append(calendar.month_abbr[dt.month])
            else:
                parts.append(f"{dt.month:0{width}d}")
        else:
            value = {"d": dt.day, "H": dt.hour, "m": dt.minute, "s": dt.second,
                     "S": dt.microsecond // 1000}[letter]
            parts.append(f"{value:0{width}d}")
    return "".join(parts)


def zone_offset_ms(zone: ZoneInfo, epoch_ms: int) -> int:
    """The zone's offset from UTC at that instant, in ms."""
    return int(datetime.fromtimestamp(epoch_ms / 1000, UTC).astimezone(zone).utcoffset().total_seconds() * 1000)


@dataclass
class Partitioner:
    cfg: SinkConfig

    def __post_init__(self) -> None:
        self.zone = ZoneInfo(self.cfg.timezone)
        self.tokens = parse_joda(self.cfg.path_format) if self.cfg.partitioner == "time" else []
        english = self.cfg.locale.split("_")[0].split("-")[0].lower() in ("en", "")
        if not english and any(t[0] == "field" and t[1][0] == "M" and len(t[1]) >= 3 for t in self.tokens):
            raise ConfigError("locale", f"{self.cfg.locale!r}: month names only in English here")

    def encode(self, kafka_partition: int, timestamp_ms: int) -> str:
        if self.cfg.partitioner == "default":
            return f"partition={kafka_partition}"
        offset_ms = zone_offset_ms(self.zone, timestamp_ms)
        duration = self.cfg.partition_duration_ms
        floored_local = ((timestamp_ms + offset_ms) // duration) * duration
        # The floored local wall time's fields are the folder (Joda: local -> UTC -> formatted in zone).
        start = datetime.fromtimestamp(floored_local / 1000, UTC)
        return format_joda(self.tokens, start)


class TimestampError(ValueError):
    """The record has no timestamp the configured extractor can read."""


def extract_timestamp(cfg: SinkConfig, record_ts: int | None, value: bytes | None) -> int:
    """Epoch ms for the partitioner and rotate.interval.ms (timestamp.extractor)."""
    if cfg.timestamp_extractor == "Wallclock":
        return int(time.time() * 1000)
    if cfg.timestamp_extractor == "Record":
        if record_ts is None or record_ts < 0:
            raise TimestampError("the record has no timestamp (timestamp.extractor=Record)")
        return record_ts
    try:
        doc = json.loads(value or b"null")
        for part in cfg.timestamp_field.split("."):
            doc = doc[part]
    except (ValueError, KeyError, TypeError, IndexError):
        raise TimestampError(f"the record value has no field {cfg.timestamp_field!r}") from None
    if isinstance(doc, bool) or not isinstance(doc, (int, float, str)):
        raise TimestampError(f"field {cfg.timestamp_field!r} is not a timestamp: {doc!r}")
    if isinstance(doc, str):
        try:
            parsed = datetime.fromisoformat(doc)
        except ValueError:
            raise TimestampError(f"field {cfg.timestamp_field!r} is not a timestamp: {doc!r}") from None
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        return int(parsed.timestamp() * 1000)
    return int(doc)
