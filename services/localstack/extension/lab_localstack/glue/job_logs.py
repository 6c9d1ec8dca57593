"""A job run's driver output in CloudWatch Logs, as on AWS: stdout to the log group
/aws-glue/jobs/output and stderr to /aws-glue/jobs/error, each in a log stream named after the
run id. Lines are sent in batches (at most every FLUSH_EVERY_S, and at the end)."""
from __future__ import annotations

import logging
import threading
import time

LOG = logging.getLogger(__name__)
OUTPUT_GROUP = "/aws-glue/jobs/output"
ERROR_GROUP = "/aws-glue/jobs/error"
FLUSH_EVERY_S = 1.0
MAX_BATCH = 5000            # PutLogEvents takes at most 10,000 events per call
MAX_EVENT_BYTES = 250_000   # and at most 256 KB per event


class LogStreamWriter:
    """Collects lines and sends them to one log stream."""

    def __init__(self, logs_client, group: str, stream: str) -> None:
        self._logs = logs_client
        self.group, self.stream = group, stream
        self._pending: list[dict] = []
        self._lock = threading.Lock()
        self._created = False
        self._last_flush = time.monotonic()

    def _create(self) -> None:
        for call, kwargs in ((self._logs.create_log_group, {"logGroupName": self.group}),
                             (self._logs.create_log_stream, {"logGroupName": self.group, "logStreamName": self.stream})):
            try:
                call(**kwargs)
            except self._logs.exceptions.ResourceAlreadyExistsException:
                pass
        self._created = True

    def add(self, line: str) -> None:
        with self._lock:
            self._pending.append({"timestamp": int(time.time() * 1000),
                                  "message": line.rstrip("\n")[:MAX_EVENT_BYTES] or " "})
        if time.monotonic() - self._last_flush >= FLUSH_EVERY_S or len(self._pending) >= MAX_BATCH:
            self.flush()

    def flush(self) -> None:
        with self._lock:
            events, self._pending = self._pending, []
            self._last_flush = time.monotonic()
        if not events:
            return
        try:
            if not self._created:
                self._create()
            for i in range(0, len(events), MAX_BATCH):
                self._logs.put_log_events(logGroupName=self.group, logStreamName=self.stream,
                                          logEvents=events[i:i + MAX_BATCH])
        except Exception:   # the run goes on without its logs rather than failing on them
            LOG.exception("could not send %d log events to %s/%s", len(events), self.group, self.stream)


def pump(pipe, writer: LogStreamWriter, tail: list[str] | None = None, keep: int = 50) -> None:
    """Send every line of a process's pipe to a log stream (keeping the last `keep` in `tail`)."""
    for line in iter(pipe.readline, ""):
        writer.add(line)
        if tail is not None:
            tail.append(line.rstrip("\n"))
            del tail[:-keep]
    writer.flush()
