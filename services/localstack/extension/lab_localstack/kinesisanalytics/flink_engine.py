"""The Flink engine: the same application on Apache Flink (PyFlink, in its own venv).

The application's SQL is translated to Flink SQL (flink_translate.py) and run by flink_job.py
in a subprocess with the Flink venv's Python (LAB_KDA_FLINK_PYTHON, default .venv-flink beside
LocalStack's venv). Input rows are handed over as JSON-lines files, written whole then renamed
(Flink never reads half a file), at most one file per input every FLUSH_EVERY_S: Flink lists the
directory every second and reads the files it finds in no set order, so one new file per listing
keeps rows in ROWTIME order and none falls behind the watermark. Each file ends with a heartbeat
row that moves the event-time watermark on when no records come, so windows close on time. Rows the job emits are read from
its stdout. Records that do not parse or coerce still go to error_stream (kept here, as the
mapping happens before Flink).
"""
from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from lab_localstack.kinesisanalytics.error_stream import ERROR_STREAM_DEF, ErrorRow
from lab_localstack.kinesisanalytics.flink_translate import HEARTBEAT, job_statements
from lab_localstack.kinesisanalytics.kda_sql import ApplicationPlan, SqlRefused, StreamDef
from lab_localstack.kinesisanalytics.sql_types import to_json_value

LOG = logging.getLogger(__name__)
JOB = Path(__file__).with_name("flink_job.py")
FLUSH_EVERY_S = 1.5        # > Flink's 1 s directory listing: one new file per listing
READ_FILES_KEPT_S = 120     # files Flink has long read (it looks every second) are removed


def flink_python() -> Path:
    configured = os.environ.get("LAB_KDA_FLINK_PYTHON")
    if configured:
        return Path(configured)
    return Path(sys.prefix).parent / ".venv-flink" / "bin" / "python"


class FlinkEngine:
    """An engine.Engine, like DuckDbEngine."""

    name = "flink"

    def __init__(self, plan: ApplicationPlan, inputs: dict[str, StreamDef], outputs: list[str]):
        self.plan = plan
        self.inputs = inputs
        self.streams = {**inputs, **plan.streams, ERROR_STREAM_DEF.name: ERROR_STREAM_DEF}
        self._outputs = [o for o in outputs if o != ERROR_STREAM_DEF.name]
        self._work = Path(tempfile.mkdtemp(prefix="kda-flink-"))
        self._dirs = {name: self._work / "in" / name for name in inputs}
        self._rows: dict[str, list[tuple[int, dict]]] = {name: [] for name in self.streams}
        self._lock = threading.Lock()
        self._files = 0
        self._pending: dict[str, list[str]] = {name: [] for name in inputs}
        self._last_flush = 0.0
        self._process: subprocess.Popen | None = None
        self.ready = threading.Event()

    def start(self) -> None:
        missing = [o for o in self._outputs if o not in self.plan.streams]
        if missing:
            raise SqlRefused(f"Output stream '{missing[0]}' is not created by the application code")
        for directory in self._dirs.values():
            directory.mkdir(parents=True)
        statements = job_statements(self.plan, self.inputs, {n: str(d) for n, d in self._dirs.items()})
        python = flink_python()
        if not python.exists():
            raise SqlRefused(f"The Flink engine needs PyFlink: no Python at {python} (run `make flink-venv`)")
        spec = self._work / "job.json"
        spec.write_text(json.dumps({"statements": statements, "outputs": self._outputs}))
        with open(self._work / "flink.log", "wb") as log:   # the child keeps its own descriptor
            self._process = subprocess.Popen([str(python), str(JOB), str(spec)], stdout=subprocess.PIPE,
                                             stderr=log, text=True, start_new_session=True)
        threading.Thread(target=self._read_stdout, name="kda-flink-out", daemon=True).start()
        LOG.info("Flink job for %d pumps started (pid %d, %s)", len(self.plan.pumps), self._process.pid, self._work)

    def _read_stdout(self) -> None:
        for line in self._process.stdout:
            if line.strip() == "READY":
                self.ready.set()
                continue
            try:
                message = json.loads(line)
            except ValueError:
                continue
            columns = [c.name for c in self.streams[message["stream"]].columns]
            with self._lock:
                rows = self._rows[message["stream"]]
                rows.append((len(rows) + 1, dict(zip(columns, message["values"]))))

    def wait_ready(self, timeout: float) -> bool:
        return self.ready.wait(timeout)

    def close(self) -> None:
        if self._process and self._process.poll() is None:
            os.killpg(self._process.pid, signal.SIGTERM)
            try:
                self._process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self._process.pid, signal.SIGKILL)

    def _write(self, stream: str, lines: list[str]) -> None:
        self._files += 1
        directory = self._dirs[stream]
        temporary = directory / f".part-{self._files:09d}.json"
        temporary.write_text("\n".join(lines) + "\n")
        temporary.rename(directory / f"part-{self._files:09d}.json")

    @staticmethod
    def _rowtime(ms: int) -> str:
        from lab_localstack.kinesisanalytics.error_stream import utc

        return to_json_value(utc(ms))

    def insert(self, stream: str, rows: list[tuple[int, tuple]]) -> None:
        if not rows:
            return
        names = [c.name for c in self.streams[stream].columns]
        self._pending[stream].extend(json.dumps({**{n: to_json_value(v) for n, v in zip(names, values)},
                                                 "ROWTIME": self._rowtime(ms), HEARTBEAT: False})
                                     for ms, values in rows)

    def add_errors(self, errors: list[ErrorRow]) -> None:
        names = [c.name for c in ERROR_STREAM_DEF.columns]
        with self._lock:
            rows = self._rows[ERROR_STREAM_DEF.name]
            rows.extend((len(rows) + 1 + i, dict(zip(names, e.values()))) for i, e in enumerate(errors))

    def tick(self, now_ms: int) -> list[ErrorRow]:
        if self._process and self._process.poll() is not None:
            raise RuntimeError(f"the Flink job exited ({self._process.returncode}); see {self._work / 'flink.log'}")
        if time.monotonic() - self._last_flush >= FLUSH_EVERY_S:
            self._last_flush = time.monotonic()
            heartbeat = json.dumps({"ROWTIME": self._rowtime(now_ms), HEARTBEAT: True})
            for stream, lines in self._pending.items():
                self._write(stream, [*lines, heartbeat])
                lines.clear()
            if self.ready.is_set() and self._files % 100 == 0:
                self._remove_read_files(time.time())
        return []

    def _remove_read_files(self, now_s: float) -> None:
        for directory in self._dirs.values():
            for path in directory.glob("part-*.json"):
                if now_s - path.stat().st_mtime > READ_FILES_KEPT_S:
                    path.unlink(missing_ok=True)

    def read_new(self, stream: str, after_seq: int) -> tuple[list[dict], int]:
        with self._lock:
            rows = self._rows.get(stream, [])[after_seq:]
        if not rows:
            return [], after_seq
        return [r for _, r in rows], rows[-1][0]
