"""What a team plugs into the lab it starts: its ETL, agent config, dashboards, Firehose settings.

`LabOptions` is validated when it is made (a bad value names its field), and turns into the
LAB_* variables labctl reads (labctl.settings), with free loopback ports chosen at start so
several labs run side by side on one machine.
"""
from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from labctl import settings as lab
from labctl.preflight import free_port

RUNTIMES = ("native", "compose")


class LabOptionsError(ValueError):
    """An option of the lab is invalid; the message names it."""


@dataclass(frozen=True)
class FirehoseSettings:
    """The `webserver_stream` delivery stream's settings. Defaults suit tests (1 s buffers, 10 s
    of retries); the workshop's are `FirehoseSettings(60, 1, 300)`."""

    buffer_interval: int = 1          # seconds (BufferingHints.IntervalInSeconds, 0-900)
    buffer_size_mb: int = 1           # MB (BufferingHints.SizeInMBs, 1-100)
    retry_duration: int = 10          # seconds (RetryOptions.DurationInSeconds, 0-7200)
    backup_mode: str = "AllDocuments"  # S3BackupMode: AllDocuments | FailedDocumentsOnly

    def __post_init__(self) -> None:
        for name, low, high in (("buffer_interval", 0, 900), ("buffer_size_mb", 1, 100),
                                ("retry_duration", 0, 7200)):
            value = getattr(self, name)
            if not isinstance(value, int) or not low <= value <= high:
                raise LabOptionsError(f"firehose.{name}={value!r} must be an integer from {low} to {high}")
        if self.backup_mode not in lab.BACKUP_MODES:
            raise LabOptionsError(f"firehose.backup_mode={self.backup_mode!r} must be one of "
                                  f"{', '.join(lab.BACKUP_MODES)}")


@dataclass(frozen=True)
class LabOptions:
    """A lab to start. Paths may be relative (to the current directory)."""

    runtime: str = "native"            # native | compose (compose runs the lab's own parts only)
    etl: Path | None = None            # a folder (laid over the lab's ETL) or a deployable zip
    handler: str = lab.DEFAULT_LAMBDA_HANDLER
    agent_config: Path | None = None   # the team's agent.json (endpoints and paths become the lab's)
    dashboards: Path | None = None     # the team's saved objects (.ndjson) for `Lab.check_dashboards`
    firehose: FirehoseSettings = field(default_factory=FirehoseSettings)
    state_dir: Path | None = None      # None: a temporary folder, removed at stop
    geoip: bool = False                # GeoIP in the ETL (DB-IP's database, 134 MB, installed once)

    def __post_init__(self) -> None:
        if self.runtime not in RUNTIMES:
            raise LabOptionsError(f"runtime={self.runtime!r} must be one of {', '.join(RUNTIMES)}")
        for name in ("etl", "agent_config", "dashboards", "state_dir"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, Path(value).expanduser().resolve())
        if self.etl is not None:
            if not self.etl.exists():
                raise LabOptionsError(f"etl={str(self.etl)!r}: no such folder or zip")
            if self.etl.is_file() and not zipfile.is_zipfile(self.etl):
                raise LabOptionsError(f"etl={str(self.etl)!r} is neither a folder nor a zip")
        for name in ("agent_config", "dashboards"):
            value = getattr(self, name)
            if value is not None and not value.is_file():
                raise LabOptionsError(f"{name}={str(value)!r}: no such file")
        parts = self.handler.split(".")
        if len(parts) < 2 or not all(part.isidentifier() for part in parts):
            raise LabOptionsError(f"handler={self.handler!r} must be module.function, "
                                  f"e.g. {lab.DEFAULT_LAMBDA_HANDLER}")
        if self.runtime == "compose" and (self.etl or self.agent_config
                                          or self.handler != lab.DEFAULT_LAMBDA_HANDLER):
            raise LabOptionsError("runtime='compose' runs the lab's own ETL and agent.json (its images "
                                  "build them); use runtime='native' for a team's own parts")

    def environment(self, state_dir: Path, lambda_zip: Path | None) -> dict[str, str]:
        """The LAB_* variables of this lab, with a free loopback port for every service."""
        ports = {key: str(free_port()) for key in (
            "LAB_APACHE_PORT", "LAB_LOCALSTACK_PORT", "LAB_OPENSEARCH_PORT", "LAB_DASHBOARDS_PORT",
            "LAB_KAFKA_PORT", "LAB_KAFKA_CONTROLLER_PORT")}
        env = {
            "LAB_STATE_DIR": str(state_dir), "LAB_BIND_ADDRESS": "127.0.0.1", "LAB_RUNTIME": self.runtime,
            "LAB_BUFFER_INTERVAL": str(self.firehose.buffer_interval),
            "LAB_BUFFER_SIZE_MB": str(self.firehose.buffer_size_mb),
            "LAB_RETRY_DURATION": str(self.firehose.retry_duration),
            "LAB_BACKUP_MODE": self.firehose.backup_mode,
            "LAB_LAMBDA_HANDLER": self.handler,
            "LAB_GEOIP_DATABASE": "" if self.geoip else "off",
            **ports,
        }
        if lambda_zip is not None:
            env["LAB_LAMBDA_ZIP"] = str(lambda_zip)
        if self.agent_config is not None:
            env["LAB_AGENT_CONFIG"] = str(self.agent_config)
        return env

