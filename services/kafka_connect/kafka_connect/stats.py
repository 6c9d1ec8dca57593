"""The connectors' stats file: a JSON document rewritten atomically about every second
(`make status` reads it), by a daemon thread from a snapshot the connector provides."""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from agent.stats import write_stats_file

log = logging.getLogger(__name__)
PERIOD_S = 1.0


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class StatsFile:
    def __init__(self, path: Path | None, snapshot: Callable[[], dict[str, Any]]):
        self.path = path
        self.snapshot = snapshot
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="stats", daemon=True)

    def start(self) -> None:
        if self.path:
            self.write()
            self._thread.start()

    def write(self) -> None:
        if not self.path:
            return
        try:
            write_stats_file(self.path, {**self.snapshot(), "updated_at": now_iso()})
        except OSError as e:
            log.warning("stats file %s: %s", self.path, e)

    def _loop(self) -> None:
        while not self._stop.wait(PERIOD_S):
            self.write()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(5)
        self.write()


def sleep_unless(stop: threading.Event, seconds: float) -> bool:
    """Sleep; True when asked to stop."""
    return stop.wait(max(0.0, seconds))


def backoff(attempt: int, base: float = 0.2, cap: float = 5.0) -> float:
    return min(cap, base * (2 ** min(attempt, 10)))


def note_retry(connector: Any, message: str, attempt: int) -> float:
    """Record a failed attempt on the connector (`last_error`, `counts["retries"]`), log it and
    return how long to wait before the next one."""
    connector.last_error = message
    connector.counts["retries"] += 1
    wait = backoff(attempt)
    log.warning("%s; retrying in %.1f s", message, wait)
    return wait
