"""One Kafka partition's open file in the S3 sink, and the rules that close it (Confluent's
TopicPartitionWriter, one writer at a time):

- a record whose encoded partition (path.format folder) differs from the open file's closes
  the file first, and starts the next one;
- rotate.interval.ms: a record whose extracted timestamp is `rotate.interval.ms` or more after
  the open file's first record closes the file first (record time: with the Record or
  RecordField extractor a file stays open while no new record arrives; with Wallclock the
  check also runs when the partition is idle);
- flush.size: the file closes as soon as it holds that many records;
- rotate.schedule.interval.ms: wall-clock; open files close at every multiple of the
  interval (aligned to 00:00 in `timezone`), whatever their size.

A closed file becomes `<topics.dir>/<topic>/<encoded partition>/<topic>+<partition>+<start
offset, zero-padded>.json` (+ `.keys.json` / `.keys.bin`), and only then is its last offset + 1
committed, so a restart rebuilds the same files under the same names (exactly once per offset).
"""
from __future__ import annotations

import base64
import json
import time
from dataclasses import dataclass, field

from kafka_connect.config import SinkConfig
from kafka_connect.partitioner import Partitioner, extract_timestamp


class RecordError(ValueError):
    """A record the sink cannot write (bad JSON, null with behavior.on.null.values=fail)."""


@dataclass
class ClosedFile:
    topic: str
    partition: int
    start_offset: int
    next_offset: int           # what to commit once written
    encoded_partition: str
    values: bytes
    keys: bytes | None
    records: int


@dataclass
class PartitionWriter:
    cfg: SinkConfig
    partitioner: Partitioner
    topic: str
    partition: int
    lines: list[bytes] = field(default_factory=list)
    key_lines: list[bytes] = field(default_factory=list)
    start_offset: int = -1
    next_offset: int = -1
    encoded: str = ""
    base_ts: int = 0

    def add(self, offset: int, timestamp: int | None, key: bytes | None, value: bytes | None) -> list[ClosedFile]:
        """Take one record; return the files it closed (0, 1 or 2)."""
        closed: list[ClosedFile] = []
        if value is None:
            if self.cfg.null_values == "fail":
                raise RecordError(f"{self.topic}+{self.partition} offset {offset}: null value "
                                  "(behavior.on.null.values=fail)")
            if self.lines:
                self.next_offset = offset + 1
            return closed
        ts = extract_timestamp(self.cfg, timestamp, value)
        encoded = self.partitioner.encode(self.partition, ts)
        if self.lines and (encoded != self.encoded or (
                self.cfg.rotate_interval_ms > 0 and ts - self.base_ts >= self.cfg.rotate_interval_ms)):
            closed.append(self.close())
        if not self.lines:
            self.start_offset, self.encoded, self.base_ts = offset, encoded, ts
        self.lines.append(self._value_line(offset, value))
        if self.cfg.store_keys:
            self.key_lines.append(self._key_line(key))
        self.next_offset = offset + 1
        if len(self.lines) >= self.cfg.flush_size:
            closed.append(self.close())
        return closed

    def idle(self, now_ms: int) -> ClosedFile | None:
        """Wallclock rotation while no record arrives."""
        if (self.lines and self.cfg.timestamp_extractor == "Wallclock" and self.cfg.rotate_interval_ms > 0
                and now_ms - self.base_ts >= self.cfg.rotate_interval_ms):
            return self.close()
        return None

    def close(self) -> ClosedFile:
        f = ClosedFile(self.topic, self.partition, self.start_offset, self.next_offset, self.encoded,
                       b"".join(line + b"\n" for line in self.lines),
                       b"".join(line + b"\n" for line in self.key_lines) if self.cfg.store_keys else None,
                       len(self.lines))
        self.lines, self.key_lines = [], []
        return f

    def object_key(self, f: ClosedFile, extension: str) -> str:
        start = f"{f.start_offset:0{self.cfg.offset_pad}d}"
        return (f"{self.cfg.topics_dir}/{f.topic}/{f.encoded_partition}/"
                f"{f.topic}+{f.partition}+{start}{extension}")

    def _value_line(self, offset: int, value: bytes) -> bytes:
        fmt = self.cfg.input_format
        if fmt == "JSON":
            try:
                doc = json.loads(value)
            except ValueError as e:
                raise RecordError(f"{self.topic}+{self.partition} offset {offset}: value is not JSON "
                                  f"(input.data.format=JSON): {e}") from None
        elif fmt == "STRING":
            doc = value.decode("utf-8", errors="replace")
        else:
            doc = base64.b64encode(value).decode("ascii")
        return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    def _key_line(self, key: bytes | None) -> bytes:
        if self.cfg.keys_format == "BYTES":
            return key or b""
        if key is None:
            return b"null"
        try:
            doc = json.loads(key)
        except ValueError:
            doc = key.decode("utf-8", errors="replace")
        return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def next_schedule_ms(cfg: SinkConfig, now_ms: int, offset_ms: int) -> int:
    """The next multiple of rotate.schedule.interval.ms after now, aligned in the time zone."""
    interval = cfg.rotate_schedule_interval_ms
    local = now_ms + offset_ms
    return (local // interval + 1) * interval - offset_ms


def wall_ms() -> int:
    return int(time.time() * 1000)
