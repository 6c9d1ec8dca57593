"""Job: init and commit, and job bookmarks for S3 sources.

With `--job-bookmark-option job-bookmark-enable`, an S3 source read with a
transformation_ctx skips the objects an earlier committed run of the job read (AWS's
bookmarks track S3 objects per transformation_ctx); Job.commit() records what this run read.
`job-bookmark-pause` reads as enabled but commits nothing; `job-bookmark-disable` (the
default) reads everything. Bookmarks are kept in the lab's state directory
(LAB_GLUE_STATE_DIR/bookmarks/<account>/<job>.json), so they survive the job run.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from awsglue.missing import Strict

_current: Job | None = None


def current() -> Job | None:
    return _current


class Job(Strict):
    def __init__(self, glue_context):
        self.glue_context = glue_context
        self._name = ""
        self._option = "job-bookmark-disable"
        self._state: dict[str, list[str]] = {}
        self._pending: dict[str, set[str]] = {}

    def init(self, job_name: str, args: dict | None = None) -> None:
        global _current
        self._name = job_name
        args = args or {}
        option = args.get("job_bookmark_option") or args.get("job-bookmark-option") or _argv_option() or "job-bookmark-disable"
        if option not in ("job-bookmark-enable", "job-bookmark-disable", "job-bookmark-pause"):
            raise ValueError(f"--job-bookmark-option must be job-bookmark-enable, -disable or -pause, got '{option}'")
        self._option = option
        if self.bookmarks_enabled and self._path().exists():
            self._state = json.loads(self._path().read_text())
        _current = self

    @property
    def bookmarks_enabled(self) -> bool:
        return self._option in ("job-bookmark-enable", "job-bookmark-pause")

    def _path(self) -> Path:
        account = os.environ.get("AWS_ACCESS_KEY_ID", "000000000000")
        return Path(os.environ.get("LAB_GLUE_STATE_DIR", ".")) / "bookmarks" / account / f"{self._name}.json"

    def seen(self, transformation_ctx: str) -> set[str]:
        return set(self._state.get(transformation_ctx, [])) if self.bookmarks_enabled and transformation_ctx else set()

    def record(self, transformation_ctx: str, keys: list[str]) -> None:
        if self.bookmarks_enabled and transformation_ctx:
            self._pending.setdefault(transformation_ctx, set()).update(keys)

    def commit(self) -> None:
        if self._option != "job-bookmark-enable" or not self._pending:
            return
        for ctx, keys in self._pending.items():
            self._state[ctx] = sorted(set(self._state.get(ctx, [])) | keys)
        self._pending = {}
        path = self._path()
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self._state))
        os.replace(tmp, path)

    def isInitialized(self) -> bool:
        return bool(self._name)

    # The reserved arguments of a Glue run, as AWS's Job lists them (flag first, then choices).
    @classmethod
    def continuation_options(cls) -> list[str]:
        return ["--continuation-option", "continuation-enabled", "continuation-readonly", "continuation-ignore"]

    @classmethod
    def job_bookmark_options(cls) -> list[str]:
        return ["--job-bookmark-option", "job-bookmark-enable", "job-bookmark-pause", "job-bookmark-disable"]

    @classmethod
    def job_bookmark_range_options(cls) -> list[str]:
        return ["--job-bookmark-from", "--job-bookmark-to"]

    @classmethod
    def id_params(cls) -> list[str]:
        return ["--JOB_NAME", "--JOB_ID", "--JOB_RUN_ID", "--SECURITY_CONFIGURATION"]

    @classmethod
    def encryption_type_options(cls) -> list[str]:
        return ["--encryption-type", "sse-s3"]


def _argv_option() -> str | None:
    import sys

    argv = sys.argv
    for i, token in enumerate(argv):
        if token == "--job-bookmark-option" and i + 1 < len(argv):
            return argv[i + 1]
    return None
