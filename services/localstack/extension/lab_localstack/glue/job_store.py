"""Glue jobs' storage: job definitions and their runs per account and region, in memory and
saved to one JSON file after every change (LOCALSTACK_VOLUME_DIR/lab-glue/jobs.json).

A run that was STARTING, RUNNING or STOPPING when the lab stopped did not survive it: at
load it ends FAILED with a message saying so (its Spark process went with the lab).
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from lab_localstack.glue import json_file

LOG = logging.getLogger(__name__)

ACTIVE_STATES = ("STARTING", "RUNNING", "STOPPING", "WAITING")
FINAL_STATES = ("STOPPED", "SUCCEEDED", "FAILED", "TIMEOUT", "ERROR", "EXPIRED")


@dataclass
class JobCatalog:
    """One account's jobs in one region."""

    jobs: dict[str, dict] = field(default_factory=dict)        # name -> Job
    runs: dict[str, list[dict]] = field(default_factory=dict)  # job name -> JobRuns, oldest first

    def job_runs(self, name: str) -> list[dict]:
        return self.runs.setdefault(name, [])

    def active_runs(self, name: str) -> list[dict]:
        return [r for r in self.runs.get(name, []) if r["JobRunState"] in ACTIVE_STATES]


class JobStore:
    """All job catalogs, one lock, persisted as JSON."""

    def __init__(self, path: Path | None) -> None:
        self.lock = threading.RLock()
        self._path = path
        self._catalogs: dict[str, JobCatalog] = {}
        self._load()

    def catalog(self, account: str, region: str) -> JobCatalog:
        with self.lock:
            return self._catalogs.setdefault(f"{account}/{region}", JobCatalog())

    def save(self) -> None:
        with self.lock:
            json_file.save(self._path, {key: asdict(cat) for key, cat in self._catalogs.items()})

    def _load(self) -> None:
        data = json_file.load(self._path, "Glue jobs")
        if data is None:
            return
        changed = False
        for key, cat in data.items():
            self._catalogs[key] = JobCatalog(**cat)
            for runs in self._catalogs[key].runs.values():
                for run in runs:
                    if run["JobRunState"] in ACTIVE_STATES:
                        now = time.time()
                        run.update(JobRunState="FAILED", CompletedOn=now, LastModifiedOn=now,
                                   ErrorMessage="The job run ended with the lab: its Spark process did not "
                                                "survive a restart of LocalStack")
                        changed = True
        if changed:
            self.save()
