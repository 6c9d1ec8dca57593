"""Glue jobs through boto3 against the native lab: clients, a bucket for scripts, helpers to
run a job to its end. The Timeout run is started once per session at the first test here and
checked last (test_spark_jobs.py), so its minute passes while the other tests run."""
from __future__ import annotations

import textwrap
import uuid

import pytest

from tests.support.waiting import wait_for

REPO_ROOT = __import__("pathlib").Path(__file__).resolve().parents[2]
ROLE = "arn:aws:iam::000000000000:role/lab-glue-job"
ACTIVE = ("STARTING", "RUNNING", "STOPPING", "WAITING")


class GlueLab:
    """The session's clients and a bucket holding the job scripts."""

    def __init__(self, localstack):
        self.glue = localstack.client("glue")
        self.s3 = localstack.client("s3")
        self.logs = localstack.client("logs")
        self.kinesis = localstack.client("kinesis")
        self.bucket = f"glue-scripts-{uuid.uuid4().hex[:8]}"
        self.s3.create_bucket(Bucket=self.bucket)

    def script(self, source: str, name: str | None = None) -> str:
        key = f"scripts/{name or uuid.uuid4().hex[:8] + '.py'}"
        self.s3.put_object(Bucket=self.bucket, Key=key, Body=textwrap.dedent(source).encode())
        return f"s3://{self.bucket}/{key}"

    def job(self, source: str, kind: str = "pythonshell", **extra) -> str:
        name = f"job-{uuid.uuid4().hex[:8]}"
        self.glue.create_job(Name=name, Role=ROLE, Command={"Name": kind, "ScriptLocation": self.script(source)},
                             **extra)
        return name

    def run(self, job: str) -> dict:
        return self.glue.get_job_runs(JobName=job)["JobRuns"][0]

    def wait_state(self, job: str, run_id: str, states: tuple[str, ...], timeout: float = 300) -> dict:
        def reached():
            run = self.glue.get_job_run(JobName=job, RunId=run_id)["JobRun"]
            return run if run["JobRunState"] in states else None

        return wait_for(reached, timeout=timeout, interval=0.5, what=f"{job} run in {states}")

    def finish(self, job: str, run_id: str, timeout: float = 300) -> dict:
        def ended():
            run = self.glue.get_job_run(JobName=job, RunId=run_id)["JobRun"]
            return run if run["JobRunState"] not in ACTIVE else None

        return wait_for(ended, timeout=timeout, interval=0.5, what=f"{job} run {run_id} to end")

    def log_lines(self, group: str, run_id: str) -> list[str]:
        try:
            events = self.logs.get_log_events(logGroupName=group, logStreamName=run_id, startFromHead=True)["events"]
        except self.logs.exceptions.ResourceNotFoundException:
            return []
        return [e["message"] for e in events]


@pytest.fixture(scope="session")
def glue_lab(localstack) -> GlueLab:
    return GlueLab(localstack)
