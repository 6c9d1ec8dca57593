"""One Glue job run, from STARTING to its final state, in a background thread.

STARTING: the script is read from its S3 ScriptLocation (a missing or unreadable script ends
the run FAILED with the reason) and its process is started (spark_runner.py). RUNNING: the
process's stdout and stderr go to CloudWatch Logs (job_logs.py). The run ends:
  SUCCEEDED  the script returned (exit code 0);
  FAILED     it raised (ErrorMessage: the exception's type and message, written by run_job.py)
             or exited non-zero;
  STOPPING -> STOPPED  after BatchStopJobRun: SIGTERM lets run_job.py end the streaming queries
             after their current micro-batch and stop Spark; SIGKILL after STOP_GRACE_S;
  TIMEOUT    past the run's Timeout (minutes), stopped the same way;
  ERROR      the lab could not start the process at all (no Spark venv, bad setting).
ExecutionTime is the run's seconds from StartedOn to CompletedOn.
"""
from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from localstack.aws.connect import connect_to

from lab_localstack import spark_conf
from lab_localstack.glue import job_logs, spark_runner
from lab_localstack.glue.job_store import JobStore

LOG = logging.getLogger(__name__)
STOP_GRACE_S = 90       # a streaming micro-batch in flight finishes before Spark stops
POLL_S = 0.2


@dataclass(frozen=True)
class RunContext:
    account: str
    region: str
    endpoint: str        # the lab's URL as the job's boto3 reaches it
    state_dir: Path      # lab-glue/jobs: run work dirs, checkpoints of s3:// locations, bookmarks


class ScriptUnavailable(Exception):
    """The ScriptLocation cannot be read."""


def _split_s3(url: str) -> tuple[str, str]:
    if not url.startswith("s3://") or "/" not in url[5:]:
        raise ScriptUnavailable(f"ScriptLocation must be an s3://bucket/key URL, got '{url}'")
    bucket, _, key = url[5:].partition("/")
    return bucket, key


class JobRunExecution:
    """The run's process and the thread watching it."""

    def __init__(self, ctx: RunContext, job: dict, run: dict, arguments: dict[str, str], store: JobStore):
        self.ctx, self.job, self.run, self.arguments, self.store = ctx, job, run, arguments, store
        self._stop = threading.Event()
        self._process: subprocess.Popen | None = None
        self.work_dir = ctx.state_dir / "runs" / run["Id"]

    def start(self) -> None:
        threading.Thread(target=self._main, name=f"glue-run-{self.run['Id'][:12]}", daemon=True).start()

    def request_stop(self) -> None:
        self._stop.set()

    def kill(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._signal(signal.SIGKILL)

    def _update(self, **fields) -> None:
        with self.store.lock:
            now = time.time()
            self.run.update(fields, LastModifiedOn=now)
            if fields.get("JobRunState") in ("STOPPED", "SUCCEEDED", "FAILED", "TIMEOUT", "ERROR"):
                self.run.update(CompletedOn=now, ExecutionTime=int(now - self.run["StartedOn"]))
            self.store.save()

    def _client(self, service: str):
        return getattr(connect_to(aws_access_key_id=self.ctx.account, region_name=self.ctx.region), service)

    def _fetch_script(self) -> Path:
        location = (self.job.get("Command") or {}).get("ScriptLocation") or ""
        if not location:
            raise ScriptUnavailable("The job has no Command.ScriptLocation")
        bucket, key = _split_s3(location)
        try:
            body = self._client("s3").get_object(Bucket=bucket, Key=key)["Body"].read()
        except Exception as exc:   # NoSuchKey, NoSuchBucket, ...
            code = getattr(exc, "response", {}).get("Error", {}).get("Code", type(exc).__name__)
            raise ScriptUnavailable(f"Cannot read the script at {location}: {code}") from exc
        script = self.work_dir / (Path(key).name or "script.py")
        script.write_bytes(body)
        return script

    def _main(self) -> None:
        try:
            self.work_dir.mkdir(parents=True, exist_ok=True)
            kind = self.job["Command"]["Name"]
            if kind == "glueray":
                raise ScriptUnavailable("Ray jobs (Command name glueray) are not provided by the lab: "
                                        "use glueetl, gluestreaming or pythonshell")
            script = self._fetch_script()
            cfg = spark_runner.settings()
            if not cfg.python.exists():
                self._update(JobRunState="ERROR", ErrorMessage=f"The lab's Glue job engine needs its Spark venv: "
                             f"no Python at {cfg.python} (run `make spark-venv`)")
                return
            spark_conf.jars_dir()   # SparkJarsMissing names the fix (`make spark-venv`)
        except ScriptUnavailable as exc:
            self._update(JobRunState="FAILED", ErrorMessage=str(exc))
            return
        except Exception as exc:
            LOG.exception("Glue job run %s could not start", self.run["Id"])
            self._update(JobRunState="ERROR", ErrorMessage=f"{type(exc).__name__}: {exc}")
            return
        try:
            self._execute(cfg, kind, script)
        finally:
            shutil.rmtree(self.work_dir, ignore_errors=True)

    def _execute(self, cfg: spark_runner.SparkSettings, kind: str, script: Path) -> None:
        result_file = self.work_dir / "result.json"
        env = spark_runner.environment(cfg, endpoint=self.ctx.endpoint, account=self.ctx.account,
                                       region=self.ctx.region, kind=kind, work_dir=self.work_dir,
                                       state_dir=self.ctx.state_dir, result_file=result_file)
        logs = self._client("logs")
        out = job_logs.LogStreamWriter(logs, job_logs.OUTPUT_GROUP, self.run["Id"])
        err = job_logs.LogStreamWriter(logs, job_logs.ERROR_GROUP, self.run["Id"])
        self._process = subprocess.Popen(spark_runner.command(cfg, script, self.arguments), env=env,
                                         cwd=self.work_dir, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                         text=True, errors="replace", start_new_session=True)
        tail: list[str] = []
        pumps = [threading.Thread(target=job_logs.pump, args=(self._process.stdout, out), daemon=True),
                 threading.Thread(target=job_logs.pump, args=(self._process.stderr, err, tail), daemon=True)]
        for p in pumps:
            p.start()
        LOG.info("Glue job %s run %s started (pid %d)", self.job["Name"], self.run["Id"], self._process.pid)
        self._update(JobRunState="RUNNING")
        timeout_min = self.run.get("Timeout")
        deadline = self.run["StartedOn"] + timeout_min * 60 if timeout_min else None
        ending = None   # STOPPED or TIMEOUT once asked to end
        while self._process.poll() is None:
            if ending is None and self._stop.is_set():
                ending = "STOPPED"
                self._update(JobRunState="STOPPING")
                self._signal(signal.SIGTERM)
                kill_at = time.monotonic() + STOP_GRACE_S
            elif ending is None and deadline is not None and time.time() >= deadline:
                ending = "TIMEOUT"
                self._signal(signal.SIGTERM)
                kill_at = time.monotonic() + STOP_GRACE_S
            elif ending is not None and time.monotonic() >= kill_at:
                self._signal(signal.SIGKILL)
            time.sleep(POLL_S)
        self._signal(signal.SIGKILL)   # whatever the driver left behind (a JVM, Python workers)
        for p in pumps:
            p.join(timeout=10)
        rc = self._process.returncode
        LOG.info("Glue job %s run %s exited with %s", self.job["Name"], self.run["Id"], rc)
        if ending == "STOPPED":
            self._update(JobRunState="STOPPED")
        elif ending == "TIMEOUT":
            self._update(JobRunState="TIMEOUT",
                         ErrorMessage=f"Job run timed out: it ran past its Timeout of {timeout_min} minutes")
        elif rc == 0:
            self._update(JobRunState="SUCCEEDED")
        else:
            self._update(JobRunState="FAILED", ErrorMessage=_failure_message(result_file, rc, tail))

    def _signal(self, sig: int) -> None:
        """SIGTERM to the driver's Python only (its JVM must live to stop the queries cleanly);
        SIGKILL to the run's whole process group."""
        try:
            if sig == signal.SIGKILL:
                os.killpg(self._process.pid, sig)
            else:
                os.kill(self._process.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass


def _failure_message(result_file: Path, rc: int, tail: list[str]) -> str:
    try:
        message = json.loads(result_file.read_text()).get("ErrorMessage")
        if message:
            return message
    except (OSError, ValueError):
        pass
    last = next((line for line in reversed(tail) if line.strip()), "")
    return f"Command failed with exit code {rc}" + (f": {last}" if last else "")
