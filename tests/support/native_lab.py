"""A native lab for the end-to-end, fault and benchmark suites: start it, feed it, break it.

`NativeLab.start(state_dir)` runs the whole native lab (labctl.native.up) on free
loopback ports with a 1 s buffer interval and a short RetryDuration, and gives
the suites what they need around it: traffic (real HTTP through Apache, or
lines appended to the access log in whole-line writes, as the generator's file
mode does), a ledger of the lines each case wrote, supervisord control of the
lab's programs, and an accumulating `LabObserver` for the per-line accounting
(tests/support/line_accounting.py).
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from labctl import native, provision
from labctl import settings as lab
from labctl.settings import LabSettings

from tests.conftest import free_port
from tests.support import line_accounting as acc
from tests.support.waiting import wait_for

REPO = Path(__file__).resolve().parents[2]


def generated_lines(count: int, seed: int, bad_fraction: float = 0.0) -> list[bytes]:
    """`count` lines from the generator's file mode (Apache's exact format), as bytes."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "lines.log"
        args = [sys.executable, "-m", "generator", "--file", str(path), "--count", str(count),
                "--seed", str(seed)]
        if bad_fraction:
            args += ["--bad-fraction", str(bad_fraction)]
        subprocess.run(args, check=True, capture_output=True, cwd=REPO)
        return acc.split_lines(path.read_bytes())


@dataclass
class CaseLedger:
    """The lines one case wrote, and where they sit in the lab's whole ledger."""

    name: str
    first: int
    lines: list[bytes] = field(default_factory=list)

    @property
    def positions(self) -> range:
        return range(self.first, self.first + len(self.lines))


class NativeLab:
    """One running native lab and everything the suites do with it."""

    def __init__(self, s: LabSettings):
        self.settings = s
        self.observer = acc.LabObserver(s)
        self.ledger: list[bytes] = []          # every line written, in order
        self.cases: list[CaseLedger] = []
        self._write_lock = threading.Lock()    # held by writers; rotations take it (copytruncate)
        self.last: acc.Accounting | None = None  # the latest accounting of the whole ledger

    # --- lifecycle ------------------------------------------------------------------
    @classmethod
    def start(cls, state_dir: Path, buffer_interval: int = 1, retry_duration: int = 10,
              geoip: bool = False, extra_env: dict[str, str] | None = None) -> NativeLab:
        """GeoIP (DB-IP's database, installed and uploaded like `make up` does) only when
        asked: the suites that do not look at `geo` skip its 134 MB."""
        env = {
            "LAB_STATE_DIR": str(state_dir), "LAB_BUFFER_INTERVAL": str(buffer_interval),
            "LAB_RETRY_DURATION": str(retry_duration), "LAB_BIND_ADDRESS": "127.0.0.1",
            "LAB_APACHE_PORT": str(free_port()), "LAB_LOCALSTACK_PORT": str(free_port()),
            "LAB_OPENSEARCH_PORT": str(free_port()), "LAB_DASHBOARDS_PORT": str(free_port()),
            "LAB_KAFKA_PORT": str(free_port()), "LAB_KAFKA_CONTROLLER_PORT": str(free_port()),
            "LAB_LOCALSTACK_VENV": os.environ.get("LAB_LOCALSTACK_VENV", str(REPO / ".venv-localstack")),
            "LAB_GEOIP_DATABASE": "" if geoip else "off",
            **(extra_env or {}),
        }
        s = lab.load(env)
        try:
            native.up(s)
        except BaseException:
            print(cls.log_tails(s))
            native.down(s)
            raise
        if geoip:
            cls._predict_with_geoip(s)
        return cls(s)

    @classmethod
    @contextmanager
    def running(cls, state_dir: Path, **options) -> Iterator[NativeLab]:
        """`start` (same options), then `stop` however the block ends."""
        nl = cls.start(state_dir, **options)
        try:
            yield nl
        finally:
            nl.stop()

    @staticmethod
    def _predict_with_geoip(s: LabSettings) -> None:
        """The accounting predicts each document by running the ETL here: with GeoIP on in
        the lab, it reads the same database files from disk (the lab's Lambda reads them
        from S3 with its own reader process), so a wrong `geo` is a mismatch."""
        from labctl import geoip

        from etl.document import use_geoip
        from etl.geoip_source import open_geoip

        use_geoip(open_geoip(tuple(str(p) for p in geoip.database_files(s))))

    def stop(self) -> None:
        from etl.document import use_geoip

        use_geoip(None)
        native.down(self.settings)

    @staticmethod
    def log_tails(s: LabSettings, chars: int = 3000) -> str:
        parts = []
        for path in sorted((s.state_dir / "logs").glob("*.log")):
            parts.append(f"--- {path.name} ---\n{path.read_text(errors='replace')[-chars:]}")
        return "\n".join(parts)

    # --- paths and programs -----------------------------------------------------------
    @property
    def log_dir(self) -> Path:
        return self.settings.state_dir / "apache" / "logs"

    @property
    def access_log(self) -> Path:
        return native.access_log(self.settings)

    def supervisorctl(self, *args: str) -> str:
        return native._supervisorctl(self.settings, *args, check=False).stdout

    def program_pid(self, program: str) -> int:
        out = self.supervisorctl("pid", program).strip()
        return int(out) if out.isdigit() else 0

    def crash(self, program: str) -> int:
        """SIGKILL a program's whole process group (supervisord gives each its own);
        supervisord restarts it (autorestart=unexpected). Returns the killed pid."""
        pid = self.program_pid(program)
        assert pid, f"{program} is not running"
        os.killpg(pid, signal.SIGKILL)
        return pid

    def wait_running(self, program: str, not_pid: int = 0, timeout: float = 60) -> int:
        """Wait until supervisord reports the program RUNNING with a pid other than `not_pid`."""
        def running() -> int:
            if "RUNNING" not in self.supervisorctl("status", program):
                return 0
            pid = self.program_pid(program)
            return pid if pid and pid != not_pid else 0
        return wait_for(running, timeout, what=f"{program} running again")

    def reprovision(self, **changes) -> None:
        """Apply other stream settings (buffer_interval, retry_duration) to the running lab."""
        provision.provision(provision.ProvisionTarget.from_settings(self.settings, **changes))

    def firehose(self) -> dict:
        return acc.firehose_counters(self.settings)

    # --- traffic ----------------------------------------------------------------------
    def begin_case(self, name: str) -> CaseLedger:
        case = CaseLedger(name, len(self.ledger))
        self.cases.append(case)
        return case

    def append_lines(self, case: CaseLedger, lines: list[bytes], lines_per_write: int = 200) -> None:
        """Append to access_log in whole-line writes (O_APPEND: Apache's writes stay whole)."""
        for start in range(0, len(lines), lines_per_write):
            chunk = lines[start:start + lines_per_write]
            with self._write_lock:
                native.append_to_access_log(self.settings, b"".join(chunk))
                # The ledger follows the file: a case's lines are contiguous in it.
                assert len(self.ledger) == case.first + len(case.lines), "cases must not interleave"
                self.ledger += chunk
                case.lines += chunk

    def append_paced(self, case: CaseLedger, lines: list[bytes], chunks: int,
                     between_chunks=None) -> None:
        """Write the lines in `chunks` parts; `between_chunks(i)` runs after part i (a fault)."""
        size = max(1, -(-len(lines) // chunks))
        for i, start in enumerate(range(0, len(lines), size)):
            self.append_lines(case, lines[start:start + size])
            if between_chunks is not None:
                between_chunks(i)

    def http_traffic(self, case: CaseLedger, count: int, seed: int) -> None:
        """Real requests through Apache; the lines Apache wrote join the case's ledger."""
        with self._write_lock:
            before = self.access_log.stat().st_size if self.access_log.exists() else 0
            subprocess.run([sys.executable, "-m", "generator", "--url", self.settings.apache_url,
                            "--count", str(count), "--seed", str(seed)],
                           check=True, capture_output=True, cwd=REPO)
            # Apache writes each line when its request completes: wait for all of them.
            def grown() -> list[bytes] | None:
                with open(self.access_log, "rb") as f:
                    f.seek(before)
                    lines = acc.split_lines(f.read())
                return lines if len(lines) >= count else None
            lines = wait_for(grown, 30, 0.2, what="Apache's access log lines")
            self.ledger += lines
            case.lines += lines

    # --- rotation (logrotate's two ways) ------------------------------------------------
    def rotate_by_rename(self, suffix: str) -> Path:
        """logrotate `create`: rename the log away; the next write creates a new one."""
        target = self.log_dir / f"access_log.{suffix}"
        assert not target.exists()
        with self._write_lock:
            os.rename(self.access_log, target)
        return target

    def rotate_by_copytruncate(self, suffix: str) -> Path:
        """logrotate `copytruncate`: copy the log, then truncate it in place. Writers are held
        off meanwhile (logrotate itself cannot do that: lines written between its copy and its
        truncate are lost on disk, a known limit of copytruncate, not of the pipeline)."""
        target = self.log_dir / f"access_log.{suffix}"
        assert not target.exists()
        with self._write_lock:
            data = self.access_log.read_bytes()
            target.write_bytes(data)
            os.truncate(self.access_log, 0)
        return target

    # --- accounting -------------------------------------------------------------------
    def account_all(self, timeout: float = 180.0) -> acc.Accounting:
        """Wait until every line of the ledger is accounted for (or the deadline)."""
        self.last = acc.wait_until_accounted(self.observer, acc.expected_outcomes(self.ledger), timeout)
        return self.last

    def case_rows(self, whole: acc.Accounting) -> list[tuple[str, dict]]:
        """One row per case (cases written after `whole` was taken are left out), then the total."""
        rows = [(case.name, whole.subset(case.positions).row()) for case in self.cases
                if case.positions.stop <= len(whole.fates)]
        rows.append(("(whole lab)", whole.row()))
        return rows


# --- reports for the terminal summary -------------------------------------------------
REPORTS: list[tuple[str, str, str]] = []   # (suite, title, table)


def report(suite: str, title: str, rows: list[tuple[str, dict]]) -> str:
    """Keep a per-case accounting table for the end of the run; return it for messages."""
    table = acc.format_table(rows)
    REPORTS.append((suite, title, table))
    print(f"\n{title}\n{table}")
    return table


def print_reports(terminalreporter, suite: str) -> None:
    for report_suite, title, table in REPORTS:
        if report_suite == suite:
            terminalreporter.write_sep("-", title)
            terminalreporter.write_line(table)
