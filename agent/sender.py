"""Deliver a batch of records with Firehose PutRecordBatch or Kinesis PutRecords.

A batch is delivered completely or, at shutdown, partly: only the records that
failed are re-sent (a partial failure never re-sends the ones that succeeded),
with exponential backoff, full jitter and a cap, for as long as it takes. The
caller learns which records were delivered, to advance checkpoints only to the
end of the longest fully delivered prefix of each file.
"""
from __future__ import annotations

import hashlib
import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from agent.api import ApiError
from agent.config import FIREHOSE, FlowConfig
from agent.stats import FlowStats

LOG = logging.getLogger(__name__)

ERROR_LOG_INTERVAL_S = 10.0   # while failing, one log line per interval (never silent)


@dataclass
class Batch:
    """Records in file order; data None marks a position to checkpoint without
    sending anything (filtered records, skipped header lines, end of a file)."""

    datas: list[bytes | None] = field(default_factory=list)
    files: list[Any] = field(default_factory=list)      # tailer.TrackedFile of each entry
    ends: list[int] = field(default_factory=list)       # file offset just past each entry
    nbytes: int = 0
    nrecords: int = 0
    created: float = field(default_factory=time.monotonic)

    def add(self, data: bytes | None, tf: Any, end: int, size: int = 0) -> None:
        self.datas.append(data)
        self.files.append(tf)
        self.ends.append(end)
        if data is not None:
            self.nbytes += size
            self.nrecords += 1

    def __len__(self) -> int:
        return len(self.datas)


def backoff_delay(attempt: int, initial_s: float, cap_s: float) -> float:
    """Full jitter: uniform in [0, min(cap, initial * 2^attempt)], at least 10 ms."""
    return max(0.01, random.uniform(0, min(cap_s, initial_s * (2 ** min(attempt, 30)))))


class Sender:
    """Puts batches to one stream for one flow (used by the flow's sender thread)."""

    def __init__(self, client: Any, flow: FlowConfig, stats: FlowStats,
                 deadline: Callable[[], float | None], wake: threading.Event):
        self.client = client
        self.flow = flow
        self.stats = stats
        self.deadline = deadline        # None while running; a monotonic time once stopping
        self.wake = wake                # set at shutdown to cut a backoff sleep short
        self._failing_since: float | None = None
        self._last_error_log = 0.0
        self._failed_attempts = 0

    def deliver(self, batch: Batch) -> list[bool]:
        """Send until every record is delivered or the shutdown deadline passes."""
        delivered = [d is None for d in batch.datas]
        pending = [i for i, d in enumerate(batch.datas) if d is not None]
        attempt = 0
        while pending:
            deadline = self.deadline()
            if deadline is not None and time.monotonic() >= deadline:
                break
            self.stats.put_calls += 1
            try:
                errors = self._put([batch.datas[i] for i in pending])
            except ApiError as exc:
                self.stats.put_errors += 1
                self.stats.records_failed += len(pending)
                self._failure(str(exc), len(pending))
                self.stats.records_retried += len(pending)
                self._sleep(backoff_delay(attempt, self._initial, self._cap))
                attempt += 1
                continue
            still = []
            for pos, i in enumerate(pending):
                if errors[pos] is None:
                    delivered[i] = True
                    self.stats.bytes_sent += len(batch.datas[i])
                else:
                    still.append(i)
            self.stats.records_sent += len(pending) - len(still)
            if still:
                codes = sorted({e for e in errors if e})
                self.stats.records_failed += len(still)
                self._failure(f"{len(still)} of {len(pending)} records failed ({', '.join(codes)})",
                              len(still))
                self.stats.records_retried += len(still)
                pending = still
                self._sleep(backoff_delay(attempt, self._initial, self._cap))
                attempt += 1
            else:
                pending = []
                self._recovered()
        return delivered

    @property
    def _initial(self) -> float:
        return self.flow.retry_initial_backoff_ms / 1000

    @property
    def _cap(self) -> float:
        return self.flow.retry_max_backoff_ms / 1000

    def _put(self, datas: list[bytes]) -> list[str | None]:
        """One API call; returns the error code of each record (None = delivered)."""
        if self.flow.destination_type == FIREHOSE:
            return self.client.put_record_batch(self.flow.destination, datas)
        return self.client.put_records(self.flow.destination, datas,
                                       [self._partition_key(d) for d in datas])

    def _partition_key(self, data: bytes) -> str:
        if self.flow.partition_key_option == "DETERMINISTIC":
            return hashlib.md5(data, usedforsecurity=False).hexdigest()
        return f"{random.getrandbits(128):032x}"

    def _sleep(self, seconds: float) -> None:
        deadline = self.deadline()
        if deadline is None:
            self.wake.wait(seconds)
        else:
            time.sleep(max(0.0, min(seconds, deadline - time.monotonic())))

    def _failure(self, message: str, count: int) -> None:
        now = time.monotonic()
        self.stats.last_error = message
        self.stats.last_error_at = time.time()
        self._failed_attempts += 1
        if self._failing_since is None:
            self._failing_since = now
        if now - self._last_error_log >= ERROR_LOG_INTERVAL_S:
            self._last_error_log = now
            LOG.warning("%s: sending to %s failed (%d attempts so far, %d records waiting): %s",
                        self.flow.id, self.flow.destination, self._failed_attempts, count, message)

    def _recovered(self) -> None:
        self.stats.last_success_at = time.time()
        if self._failing_since is not None:
            LOG.info("%s: delivery to %s recovered after %.1fs and %d failed attempts",
                     self.flow.id, self.flow.destination,
                     time.monotonic() - self._failing_since, self._failed_attempts)
            self._failing_since = None
            self._failed_attempts = 0
            self._last_error_log = 0.0
