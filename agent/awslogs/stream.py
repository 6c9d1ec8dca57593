"""One log section of awslogs.conf: the shared Flow (tailer, multi-line
splitter, checkpoint commits, sender thread) with CloudWatch Logs' events and
batch rules in place of Kinesis records.

A batch is handed to the sender when any PutLogEvents limit would be passed:
`batch_count` events (<= 10,000), `batch_size` bytes (<= 1,048,576, counting
26 bytes per event), a span of more than 24 hours between its earliest and
latest event, or when it is `buffer_duration` old. Checkpoints (the state file)
advance only after PutLogEvents succeeded, as for Kinesis.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from agent.awslogs.config import EVENT_OVERHEAD, LogSection
from agent.awslogs.leftovers import LeftoverTailer
from agent.awslogs.logs_api import LogEvent, LogStreamClient
from agent.awslogs.timestamps import TimestampParser
from agent.checkpoints import CheckpointStore
from agent.config import FlowConfig
from agent.flow import Flow
from agent.records import Record
from agent.sender import Sender
from agent.tailer import TrackedFile

LOG = logging.getLogger(__name__)

LOGS = "logs"
MAX_EVENT_SIZE = 262_144                      # the agent's event limit, 26 bytes included
MAX_MESSAGE_BYTES = MAX_EVENT_SIZE - EVENT_OVERHEAD
MAX_SPAN_MS = 24 * 3600 * 1000


@dataclass(frozen=True)
class LogsFlowConfig(FlowConfig):
    section: str = ""

    @property
    def id(self) -> str:
        return f"logs:{self.section}:{self.destination}:{self.file_pattern}"


class LogsSender(Sender):
    """The shared sender (retries with backoff until delivered, statistics),
    with one PutLogEvents call per attempt: all events delivered, or none."""

    def _put(self, datas: list) -> list[str | None]:
        self.client.put(datas)
        return [None] * len(datas)


def make_event(data: bytes, encoding: str, timestamp: TimestampParser) -> tuple[LogEvent | None, bool]:
    """A record (line or multi-line group, with its newline) -> (event, truncated).
    None for an empty message, which PutLogEvents does not accept."""
    text = data.decode(encoding, "replace")
    text = text.removesuffix("\n")
    if not text:
        return None, False
    size = len(text) if data.isascii() else len(text.encode("utf-8"))
    truncated = size > MAX_MESSAGE_BYTES
    if truncated:
        text = text.encode("utf-8")[:MAX_MESSAGE_BYTES].decode("utf-8", "ignore")
        size = len(text.encode("utf-8"))
    return LogEvent(timestamp(text), text, size + EVENT_OVERHEAD), truncated


class LogStreamFlow(Flow):
    """Tails one section's file and ships its events to one log stream."""

    def __init__(self, section: LogSection, api: LogStreamClient, store: CheckpointStore):
        cfg = LogsFlowConfig(
            file_pattern=section.file, destination_type=LOGS,
            destination=f"{section.log_group_name}/{section.log_stream_name}",
            initial_position="END_OF_FILE" if section.start_at_end else "START_OF_FILE",
            max_buffer_age_ms=section.buffer_duration_ms,
            max_buffer_size_records=section.batch_count, max_buffer_size_bytes=section.batch_size,
            multi_line_start_pattern=section.multi_line_start_pattern,
            retry_initial_backoff_ms=200, retry_max_backoff_ms=10_000, section=section.name)
        super().__init__(cfg, None, store)
        self.section = section
        self.api = api
        self.sender = LogsSender(api, cfg, self.stats, lambda: self._deadline, self.wake)
        t = self.tailer
        self.tailer = LeftoverTailer(t.pattern, start_at_end=t.start_at_end,
                                     make_splitter=t.make_splitter, known=t.known)
        self.timestamp = TimestampParser(section.datetime_format, section.utc)
        self.empty_skipped = 0
        self._min_ts = self._max_ts = 0

    def _add(self, tf: TrackedFile, records: list[Record]) -> None:
        if not records or self.stopping:
            return                  # at shutdown: not queued, so read again after a restart
        stats = self.stats
        stats.records_parsed += len(records)
        max_count, max_size = self.cfg.max_buffer_size_records, self.cfg.max_buffer_size_bytes
        for data, end in records:
            event, truncated = make_event(data, self.section.encoding, self.timestamp)
            buf = self.buffer
            if event is None:
                self.empty_skipped += 1
                buf.add(None, tf, end)          # moves the checkpoint past it
                continue
            stats.records_truncated += truncated
            ts = event.timestamp
            if buf.nrecords and (buf.nrecords >= max_count or buf.nbytes + event.size > max_size
                                 or max(self._max_ts, ts) - min(self._min_ts, ts) > MAX_SPAN_MS):
                if not self._hand_over():
                    return
                buf = self.buffer
            if buf.nrecords == 0:
                self._min_ts = self._max_ts = ts
            else:
                self._min_ts, self._max_ts = min(self._min_ts, ts), max(self._max_ts, ts)
            buf.add(event, tf, end, event.size)
            if buf.nrecords >= max_count and not self._hand_over():
                return

    def snapshot(self) -> dict:
        snap = super().snapshot()
        snap.update(section=self.section.name, log_group_name=self.section.log_group_name,
                    log_stream_name=self.section.log_stream_name,
                    events_rejected=self.api.rejected, empty_lines_skipped=self.empty_skipped,
                    timestamps_not_parsed=self.timestamp.fallbacks)
        return snap
