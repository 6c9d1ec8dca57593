"""Counters per flow, the periodic status line and the JSON stats file.

Each counter has a single writer (the flow's reading loop or its sender
thread), so plain integers are enough. The stats file is rewritten atomically
(temporary file + rename) so a reader never sees half a document; its schema
is documented in agent/README.md.
"""
from __future__ import annotations

import json
import os
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import psutil

SCHEMA = "clickstream-agent-stats/1"


@dataclass
class FlowStats:
    lines_read: int = 0
    bytes_read: int = 0
    records_parsed: int = 0       # records built from the files (after multi-line grouping)
    records_filtered: int = 0     # dropped by dataProcessingOptions (e.g. LOGTOJSON no match)
    records_truncated: int = 0    # cut to the 1,000 KiB record limit
    records_sent: int = 0
    bytes_sent: int = 0
    records_failed: int = 0       # record send attempts that failed (call errors + partial failures)
    records_retried: int = 0      # records sent again after a failure
    put_calls: int = 0
    put_errors: int = 0           # calls that failed as a whole (endpoint down, throttled, ...)
    last_success_at: float | None = None
    last_error: str | None = None
    last_error_at: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def status_line(flow_id: str, s: FlowStats, backlog_bytes: int, files: int) -> str:
    return (f"{flow_id}: {s.lines_read} lines read, {s.records_sent} records sent, "
            f"{s.records_failed} failed, {s.records_retried} retried, "
            f"{s.records_filtered} filtered, {s.records_truncated} truncated, "
            f"backlog {backlog_bytes} bytes in {files} file(s)")


def process_info() -> dict[str, Any]:
    proc = psutil.Process()
    with proc.oneshot():
        cpu = proc.cpu_times()
        return {"pid": proc.pid, "rss_bytes": proc.memory_info().rss,
                "cpu_user_seconds": round(cpu.user, 3), "cpu_system_seconds": round(cpu.system, 3),
                "threads": proc.num_threads()}


def write_stats_file(path: Path, document: dict[str, Any]) -> None:
    """Atomically replace `path` with the JSON document."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=str(path.parent))
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(document, f, indent=2, sort_keys=False)
            f.write("\n")
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def iso(ts: float | None) -> str | None:
    if ts is None:
        return None
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))
