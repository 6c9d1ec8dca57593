"""The awslogs agent's main loop: the shared Agent (step every section, SIGTERM
flush, status), writing the stats file the lab's `make status` reads
(CONTRACT24.md) about every second and logging a status line every 30 s."""
from __future__ import annotations

import time

from agent.runner import Agent
from agent.stats import iso, process_info

SCHEMA = "clickstream-awslogs-stats/1"
STATUS_LOG_PERIOD_S = 30.0


class AwsLogsAgent(Agent):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._next_status_log = time.monotonic() + STATUS_LOG_PERIOD_S

    def _report(self) -> None:
        snapshots = [flow.snapshot() for flow in self.flows]
        if time.monotonic() >= self._next_status_log or self.state == "stopped":
            self._next_status_log = time.monotonic() + STATUS_LOG_PERIOD_S
            self._log_status(snapshots)
        self._write_stats(snapshots)

    def _write_stats(self, snapshots: list[dict] | None = None) -> None:
        if self.stats_file is None:
            return
        if snapshots is None:
            snapshots = [flow.snapshot() for flow in self.flows]
        errors = [s for s in snapshots if s["last_error_at"] is not None]
        last = max(errors, key=lambda s: s["last_error_at"]) if errors else None
        now = time.time()
        document = {
            "schema": SCHEMA,
            "lines_read": sum(s["lines_read"] for s in snapshots),
            "events_sent": sum(s["records_sent"] for s in snapshots),
            "put_log_events_calls": sum(s["put_calls"] for s in snapshots),
            "retries": sum(s["put_errors"] for s in snapshots),
            "last_error": last["last_error"] if last else None,
            "updated_at": iso(now),
            "state": self.state,
            "config_file": self.config_file,
            "started_at": iso(self.started),
            "process": process_info(),
            "log_streams": [{**s, "last_success_at": iso(s["last_success_at"]),
                             "last_error_at": iso(s["last_error_at"])} for s in snapshots],
        }
        self._save_stats(document)
