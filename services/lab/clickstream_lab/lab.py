"""`Lab`: one Clickstream Lab, started by this process (or attached to), for a team's tests.

    from clickstream_lab import Lab, LabOptions

    with Lab.start(LabOptions(etl="my_etl/", handler="my_handler.lambda_handler")) as lab:
        lab.generate(100)
        lab.wait_accounted(100)
        docs = lab.documents()

`start` runs the whole lab (labctl's native runtime by default) on free 127.0.0.1 ports with
its state in a temporary folder, and waits until it is ready; `attach` uses a lab that is
already running (`make up`, or services beside a CI job). Everything else reads the lab
through its public endpoints: boto3 clients, OpenSearch, and the same accounting as
`make status` (labctl.readiness).
"""
from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any, Self

from labctl import (
    aws_clients,
    compose,
    native,
    preflight,
    readiness,
    runtimes,
    stage_counts,
    status,
)
from labctl import settings as lab
from labctl.errors import LabError
from labctl.readiness import Accounting
from labctl.runtimes import Runtime
from labctl.settings import LabSettings

from clickstream_lab import etl_zip, lab_data
from clickstream_lab.options import LabOptions

LOG = logging.getLogger(__name__)
LOG_TAIL_LINES = 40
NOTHING = Accounting(written=0, indexed=0, processing_failed=0, delivery_failed=0, dropped=0, buffered=0)


class Lab:
    """A running lab: its endpoints, clients, traffic, accounting and logs."""

    def __init__(self, settings: LabSettings, runtime: Runtime | None, options: LabOptions,
                 owned_state_dir: Path | None = None, environment: dict[str, str] | None = None):
        self.settings = settings
        self.runtime = runtime                  # None: attached to a lab this process cannot see
        self.options = options
        self._owned_state_dir = owned_state_dir  # removed at stop (a temporary folder)
        self._environment = environment or {}    # LAB_* of this lab (compose reads os.environ)
        self.started_in: float | None = None     # seconds from `start` to ready
        self.lines_sent = 0                      # lines this object sent (generate, append_lines)
        self._urls: dict[str, str | None] = {}   # attach(): services reached only by URL
        # the cumulative counts at the last empty(): accounting() reports what came after
        self._baseline = NOTHING

    # --- lifecycle ------------------------------------------------------------------------
    @classmethod
    def start(cls, options: LabOptions | None = None, **fields: Any) -> Lab:
        """Start a lab (`LabOptions` or its fields as keywords) and return it once ready."""
        options = options or LabOptions(**fields)
        began = time.monotonic()
        owned = None
        state_dir = options.state_dir
        if state_dir is None:
            state_dir = owned = Path(tempfile.mkdtemp(prefix="clickstream-lab-"))
        state_dir.mkdir(parents=True, exist_ok=True)
        zip_path = etl_zip.build(options.etl, state_dir / "etl") if options.etl else None
        for _attempt in range(5):  # free ports now can be taken before the lab binds them: pick again
            environment = options.environment(state_dir, zip_path)
            settings = lab.load({**os.environ, **environment})
            if not preflight.ports_in_use(settings):
                break
        if options.runtime == "compose":
            environment["COMPOSE_PROJECT_NAME"] = f"clickstream-lab-{os.getpid()}-{state_dir.name.lower()}"
        runtime = runtimes.RUNTIMES[options.runtime](settings)
        started = cls(settings, runtime, options, owned, environment)
        LOG.info("starting the %s lab in %s", runtime.name, state_dir)
        try:
            with started._env():
                runtimes.record(settings, runtime)
                if runtime.up():
                    raise LabError(f"the {runtime.name} lab did not start (see {state_dir / 'logs'})")
                readiness.wait_ready(settings, runtime)
        except BaseException:
            LOG.error("the lab did not start; its logs:\n%s", started.log_tails())
            started.stop()
            raise
        started.started_in = time.monotonic() - began
        LOG.info("the lab is ready in %.0fs: %s", started.started_in, started.endpoints)
        return started

    @classmethod
    def attach(cls, apache_url: str | None = None, localstack_url: str | None = None,
               opensearch_url: str | None = None) -> Lab:
        """A lab that is already running. With no URL, the one `make up` started here (its LAB_*
        settings); with URLs, services this process only reaches over the network (a CI job's
        services): then the lines written are the ones this object sent."""
        settings = lab.load()
        runtime = runtimes.running(settings) if not (apache_url or localstack_url or opensearch_url) else None
        attached = cls(settings, runtime, LabOptions())
        attached._urls = {"apache": apache_url, "localstack": localstack_url, "opensearch": opensearch_url}
        if runtime is None and not any(attached._urls.values()):
            raise LabError("the lab is not running: make up (or give its URLs)")
        if any(attached._urls.values()) and not all(attached._urls.values()):
            raise LabError("attach: give all three URLs (apache_url, localstack_url, opensearch_url), or none")
        return attached

    def stop(self) -> None:
        """Stop a lab this object started (an attached one keeps running) and remove its temporary state."""
        if self._environment and self.runtime is not None:
            with self._env():
                self.runtime.down()
                runtimes.record(self.settings, None)
        if self._owned_state_dir is not None:
            shutil.rmtree(self._owned_state_dir, ignore_errors=True)
            self._owned_state_dir = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def _env(self):
        """This lab's LAB_* in os.environ while a runtime call runs (compose passes it to Compose)."""
        return compose.environment(self._environment)

    # --- where it is ----------------------------------------------------------------------
    def url(self, service: str) -> str:
        """The URL of `apache`, `localstack` or `opensearch`."""
        given = self._urls.get(service)
        return given or {"apache": self.settings.apache_url, "localstack": self.settings.localstack_url,
                         "opensearch": self.settings.opensearch_url}[service]

    @property
    def endpoints(self) -> dict[str, str]:
        return {service: self.url(service) for service in ("apache", "localstack", "opensearch")}

    def client(self, service: str) -> Any:
        """A boto3 client of `service` on the lab's LocalStack (region us-east-1, test keys)."""
        return aws_clients.client(service, self.url("localstack"))

    def opensearch(self):
        """An opensearch-py client of the lab's OpenSearch."""
        from opensearchpy import OpenSearch

        return OpenSearch(self.url("opensearch"), timeout=30)

    # --- traffic ----------------------------------------------------------------------------
    def generate(self, count: int, seed: int = 1) -> int:
        """`count` requests of the shop's traffic through Apache (one access-log line each)."""
        from generator.__main__ import main as generator_main

        rc = generator_main(["--url", self.url("apache"), "--count", str(count), "--seed", str(seed),
                             "--no-progress", "--log-level", "WARNING"])
        if rc:
            raise LabError(f"the generator failed (exit {rc}) against {self.url('apache')}")
        self.lines_sent += count
        return count

    def append_lines(self, lines: list[str | bytes]) -> int:
        """The team's own lines, appended to Apache's access log in whole-line writes (as Apache
        writes them); the agent ships them. Only for a lab started here (it owns the file)."""
        if self.runtime is None or self.runtime.name != "native":
            raise LabError("append_lines needs a native lab started or run on this machine")
        data = b"".join((line if isinstance(line, bytes) else line.encode()).rstrip(b"\n") + b"\n"
                        for line in lines)
        native.append_to_access_log(self.settings, data)
        self.lines_sent += len(lines)
        return len(lines)

    # --- where the lines are -------------------------------------------------------------
    def accounting(self) -> Accounting:
        """Lines written, indexed, in the failure outputs, dropped and still buffered, since the
        start or the last `empty()` (`make status`'s counts, the lab's own resources only)."""
        written = self.runtime.access_log_lines() if self.runtime is not None else self.lines_sent
        now = readiness.accounting_at(self.url("localstack"), self.url("opensearch"), written)
        base = self._baseline
        return replace(now, written=None if now.written is None else now.written - base.written,
                       dropped=now.dropped - base.dropped)

    def wait_accounted(self, lines: int | None = None, timeout: float = 120) -> Accounting:
        """Return the accounting once `lines` (default: every line written so far) are indexed,
        in a failure output or dropped; LabTimeout with the accounting so far after `timeout` s."""
        if lines is None:
            lines = self.accounting().written
        return readiness.wait_accounted(self.accounting, lines, timeout)

    def wait_indexed(self, count: int, timeout: float = 120) -> int:
        """Return the index's document count once it is at least `count`."""
        return lab_data.wait_indexed(self.url("opensearch"), count, timeout)

    def documents(self, size: int = 10_000) -> list[dict]:
        """The documents of the index `apache` (their _source), oldest first."""
        return lab_data.documents(self.url("opensearch"), size)

    def failed_records(self, output: str = "processing_failed") -> list[dict]:
        """The records of a failure output (`processing_failed` or `delivery_failed`), each with
        `rawData` decoded into `line` (bytes)."""
        return lab_data.failed_records(self.client("s3"), output)

    def empty(self) -> None:
        """An empty index `apache` (its mapping kept) and no objects under the lab's S3 prefixes: a clean start.
        Lines still on their way are waited for first (up to 60 s), so they do not arrive later."""
        try:
            self.wait_accounted(timeout=60)
        except LabError as error:
            LOG.warning("emptying the lab while lines are not accounted for: %s", error)
        lab_data.empty(self.url("opensearch"), self.client("s3"))
        self._baseline = NOTHING
        now = self.accounting()
        self._baseline = replace(now, written=now.written or 0)

    def check_dashboards(self, saved_objects: Path | None = None) -> list[dict]:
        """Load a dashboards export (the team's, default `LabOptions.dashboards`, else the lab's
        own) against the lab: every reference resolves, every field a panel uses is in the
        index's mapping, and each visualization's search runs. Returns one row per visualization
        (`title`, `hits`); raises LabError naming what does not load."""
        return lab_data.check_dashboards(self.url("opensearch"), saved_objects or self.options.dashboards)

    # --- what to show when a test fails ------------------------------------------------------
    def status_text(self) -> str:
        """`make status` of a lab on this machine; the endpoints' health and the accounting otherwise."""
        if self.runtime is not None:
            return status.render_text(status.collect(self.settings, self.runtime))
        health = {service: stage_counts.http_health(url) for service, url in self.endpoints.items()}
        return "\n".join(f"{service:<12} {state}  {self.url(service)}" for service, state in health.items())

    def log_tails(self, lines: int = LOG_TAIL_LINES) -> str:
        """The last `lines` of each service's log (a lab on this machine)."""
        parts = []
        for path in sorted((self.settings.state_dir / "logs").glob("*.log")):
            tail = path.read_text(errors="replace").splitlines()[-lines:]
            parts.append(f"--- {path.name} (last {len(tail)} lines) ---\n" + "\n".join(tail))
        return "\n".join(parts) or f"(no logs under {self.settings.state_dir / 'logs'})"

    def copy_logs(self, destination: Path) -> Path:
        """Copy the services' logs and the lab's status into `destination` (a CI artefact)."""
        destination.mkdir(parents=True, exist_ok=True)
        for path in (self.settings.state_dir / "logs").glob("*.log"):
            shutil.copy2(path, destination / path.name)
        (destination / "status.txt").write_text(self.status_text() + "\n")
        return destination
