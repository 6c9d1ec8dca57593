"""Glue jobs: CreateJob, GetJob, GetJobs, ListJobs, UpdateJob, DeleteJob, StartJobRun,
GetJobRun, GetJobRuns and BatchStopJobRun, as the Glue API reference gives them. Mixed into
the provider; definitions and runs live in job_store.py, a run's life in job_runs.py.

A job's defaults are AWS's: MaxConcurrentRuns 1, MaxRetries 0, Timeout 2880 minutes (none for
`gluestreaming`), MaxCapacity 10 DPUs (`glueetl`, `gluestreaming`) or 0.0625 (`pythonshell`)
unless workers are named. Past MaxConcurrentRuns active runs, StartJobRun answers
ConcurrentRunsExceededException. UpdateJob replaces the whole definition, as on AWS.
"""
from __future__ import annotations

import copy
import secrets
import time
from pathlib import Path

from localstack import config
from localstack.aws.api import CommonServiceException, RequestContext, handler

from lab_localstack.aws_api import GLUE
from lab_localstack.glue import shapes, validation
from lab_localstack.glue.job_runs import JobRunExecution, RunContext
from lab_localstack.glue.job_store import ACTIVE_STATES, JobStore
from lab_localstack.state_files import state_dir

COMMANDS = ("glueetl", "gluestreaming", "pythonshell", "glueray")
MAX_TIMEOUT_MINUTES = 10080   # "less than 7 days or 10080 minutes" (Glue API reference, Job)
DEFAULT_TIMEOUT_MINUTES = 2880
JOB_KEYS = ("Description", "LogUri", "Role", "ExecutionProperty", "Command", "DefaultArguments",
            "NonOverridableArguments", "Connections", "MaxRetries", "AllocatedCapacity", "Timeout",
            "MaxCapacity", "WorkerType", "NumberOfWorkers", "SecurityConfiguration", "NotificationProperty",
            "GlueVersion", "ExecutionClass", "JobMode", "JobRunQueuingEnabled", "MaintenanceWindow",
            "SourceControlDetails", "CodeGenConfigurationNodes")
_TIMES = ("CreatedOn", "LastModifiedOn", "StartedOn", "CompletedOn")


def _job_not_found(name: str) -> CommonServiceException:
    return GLUE.not_found(f"Job with name: {name} not found")


def job_record(name: str, spec: dict, previous: dict | None = None) -> dict:
    """A stored Job from a CreateJob request or an UpdateJob's JobUpdate, with AWS's defaults."""
    validation.require(spec.get("Role"), "role")
    command = spec.get("Command") or {}
    validation.require(command or None, "command")
    kind = command.get("Name") or "glueetl"
    if kind not in COMMANDS:
        raise GLUE.invalid(f"Command name should be one of {', '.join(COMMANDS)}; got '{kind}'")
    timeout = spec.get("Timeout")
    if timeout is not None and not 1 <= timeout <= MAX_TIMEOUT_MINUTES:
        raise GLUE.invalid(f"Timeout must be between 1 and {MAX_TIMEOUT_MINUTES} minutes; got {timeout}")
    now = time.time()
    record = {k: copy.deepcopy(spec[k]) for k in JOB_KEYS if k in spec}
    record["Command"] = {**command, "Name": kind}
    if kind != "pythonshell":
        record["Command"].setdefault("PythonVersion", "3")
    record.update(Name=name, CreatedOn=previous["CreatedOn"] if previous else now, LastModifiedOn=now)
    record.setdefault("JobMode", "SCRIPT")
    record.setdefault("ExecutionProperty", {"MaxConcurrentRuns": 1})
    record["ExecutionProperty"].setdefault("MaxConcurrentRuns", 1)
    record.setdefault("MaxRetries", 0)
    if kind != "gluestreaming":
        record.setdefault("Timeout", DEFAULT_TIMEOUT_MINUTES)
    if "WorkerType" not in record:
        capacity = 0.0625 if kind == "pythonshell" else 10.0
        record.setdefault("MaxCapacity", record.get("AllocatedCapacity", capacity))
        record.setdefault("AllocatedCapacity", int(record["MaxCapacity"]))
    return record


def run_arguments(job: dict, arguments: dict, run_id: str, account: str, region: str) -> dict[str, str]:
    """What the script gets: DefaultArguments, then the run's Arguments, then the job's
    NonOverridableArguments, then the reserved ones Glue sets itself."""
    merged = {**(job.get("DefaultArguments") or {}), **(arguments or {}),
              **(job.get("NonOverridableArguments") or {})}
    merged.setdefault("--TempDir", f"s3://aws-glue-assets-{account}-{region}/temporary/")
    merged.setdefault("--job-bookmark-option", "job-bookmark-disable")
    merged.update({"--JOB_ID": f"j_{run_id[3:]}", "--JOB_RUN_ID": run_id, "--JOB_NAME": job["Name"]})
    return merged


def _response(record: dict) -> dict:
    out = copy.deepcopy(record)
    for key in _TIMES:
        if isinstance(out.get(key), (int, float)):
            out[key] = shapes.to_response({"StartTime": out[key]})["StartTime"]
    return out


class JobsApi:
    """Job definitions and runs (the provider gives `jobs`, a JobStore, and `_runs`)."""

    jobs: JobStore
    _runs: dict[str, JobRunExecution]

    def _job(self, context: RequestContext, name: str | None) -> dict:
        validation.require(name, "jobName")
        job = self.jobs.catalog(context.account_id, context.region).jobs.get(name)
        if job is None:
            raise _job_not_found(name)
        return job

    @handler("CreateJob", expand=False)
    def create_job(self, context: RequestContext, request: dict) -> dict:
        name = request.get("Name")
        validation.require(name, "name")
        validation.name(name, "name")
        record = job_record(name, request)
        with self.jobs.lock:
            cat = self.jobs.catalog(context.account_id, context.region)
            if name in cat.jobs:
                raise GLUE.error("AlreadyExistsException", f"Job with name {name} already exists")
            cat.jobs[name] = record
            self.jobs.save()
        return {"Name": name}

    @handler("GetJob", expand=False)
    def get_job(self, context: RequestContext, request: dict) -> dict:
        with self.jobs.lock:
            return {"Job": _response(self._job(context, request.get("JobName")))}

    @handler("GetJobs", expand=False)
    def get_jobs(self, context: RequestContext, request: dict) -> dict:
        with self.jobs.lock:
            jobs = [_response(j) for _, j in sorted(self.jobs.catalog(context.account_id, context.region).jobs.items())]
        return GLUE.paged("GetJobs", "Jobs", jobs, request, default=100)

    @handler("ListJobs", expand=False)
    def list_jobs(self, context: RequestContext, request: dict) -> dict:
        with self.jobs.lock:
            names = sorted(self.jobs.catalog(context.account_id, context.region).jobs)
        return GLUE.paged("ListJobs", "JobNames", names, request, default=100)

    @handler("BatchGetJobs", expand=False)
    def batch_get_jobs(self, context: RequestContext, request: dict) -> dict:
        with self.jobs.lock:
            jobs = self.jobs.catalog(context.account_id, context.region).jobs
            names = request.get("JobNames") or []
            return {"Jobs": [_response(jobs[n]) for n in names if n in jobs],
                    "JobsNotFound": [n for n in names if n not in jobs]}

    @handler("UpdateJob", expand=False)
    def update_job(self, context: RequestContext, request: dict) -> dict:
        update = request.get("JobUpdate")
        validation.require(update, "jobUpdate")
        with self.jobs.lock:
            job = self._job(context, request.get("JobName"))
            self.jobs.catalog(context.account_id, context.region).jobs[job["Name"]] = \
                job_record(job["Name"], update, previous=job)
            self.jobs.save()
        return {"JobName": job["Name"]}

    @handler("DeleteJob", expand=False)
    def delete_job(self, context: RequestContext, request: dict) -> dict:
        name = request.get("JobName")
        validation.require(name, "jobName")
        with self.jobs.lock:   # no error for a job that does not exist (Glue API reference, DeleteJob)
            cat = self.jobs.catalog(context.account_id, context.region)
            cat.jobs.pop(name, None)
            for run in cat.runs.pop(name, []):
                execution = self._runs.get(run["Id"])
                if execution is not None and run["JobRunState"] in ACTIVE_STATES:
                    execution.request_stop()
            self.jobs.save()
        return {"JobName": name}

    @handler("StartJobRun", expand=False)
    def start_job_run(self, context: RequestContext, request: dict) -> dict:
        timeout = request.get("Timeout")
        if timeout is not None and not 1 <= timeout <= MAX_TIMEOUT_MINUTES:
            raise GLUE.invalid(f"Timeout must be between 1 and {MAX_TIMEOUT_MINUTES} minutes; got {timeout}")
        with self.jobs.lock:
            job = self._job(context, request.get("JobName"))
            cat = self.jobs.catalog(context.account_id, context.region)
            if len(cat.active_runs(job["Name"])) >= job["ExecutionProperty"]["MaxConcurrentRuns"]:
                raise GLUE.error("ConcurrentRunsExceededException", f"Concurrent runs exceeded for {job['Name']}")
            run_id = "jr_" + secrets.token_hex(32)
            now = time.time()
            run = {"Id": run_id, "Attempt": 0, "JobName": job["Name"], "JobMode": job.get("JobMode", "SCRIPT"),
                   "StartedOn": now, "LastModifiedOn": now, "JobRunState": "STARTING",
                   "Arguments": dict(request.get("Arguments") or {}), "PredecessorRuns": [],
                   "ExecutionTime": 0, "LogGroupName": "/aws-glue/jobs"}
            for key in ("MaxCapacity", "AllocatedCapacity", "WorkerType", "NumberOfWorkers", "GlueVersion",
                        "SecurityConfiguration", "NotificationProperty", "ExecutionClass"):
                value = request.get(key, job.get(key))
                if value is not None:
                    run[key] = value
            run_timeout = timeout or job.get("Timeout")
            if run_timeout:
                run["Timeout"] = run_timeout
            cat.job_runs(job["Name"]).append(run)
            self.jobs.save()
            arguments = run_arguments(job, run["Arguments"], run_id, context.account_id, context.region)
        execution = JobRunExecution(
            RunContext(account=context.account_id, region=context.region, endpoint=_lab_endpoint(),
                       state_dir=_state_dir()),
            job=copy.deepcopy(job), run=run, arguments=arguments, store=self.jobs)
        self._runs[run_id] = execution
        execution.start()
        return {"JobRunId": run_id}

    def end_all_runs(self) -> None:
        """Kill every run's processes (LocalStack is stopping; the store marks them at next start)."""
        for execution in list(self._runs.values()):
            execution.kill()

    def _run(self, context: RequestContext, job_name: str | None, run_id: str | None) -> dict:
        validation.require(job_name, "jobName")
        validation.require(run_id, "runId")
        runs = self.jobs.catalog(context.account_id, context.region).runs.get(job_name, [])
        for run in runs:
            if run["Id"] == run_id:
                return run
        raise GLUE.not_found(f"Job Run with id: {run_id} not found")

    @handler("GetJobRun", expand=False)
    def get_job_run(self, context: RequestContext, request: dict) -> dict:
        with self.jobs.lock:
            run = self._run(context, request.get("JobName"), request.get("RunId"))
            return {"JobRun": _response(_with_elapsed(run))}

    @handler("GetJobRuns", expand=False)
    def get_job_runs(self, context: RequestContext, request: dict) -> dict:
        with self.jobs.lock:
            job = self._job(context, request.get("JobName"))
            runs = self.jobs.catalog(context.account_id, context.region).runs.get(job["Name"], [])
            out = [_response(_with_elapsed(r)) for r in reversed(runs)]   # newest first, as on AWS
        return GLUE.paged("GetJobRuns", "JobRuns", out, request, default=200)

    @handler("BatchStopJobRun", expand=False)
    def batch_stop_job_run(self, context: RequestContext, request: dict) -> dict:
        name = request.get("JobName")
        ids = request.get("JobRunIds") or []
        validation.require(name, "jobName")
        validation.require(ids or None, "jobRunIds")
        done, failed = [], []
        with self.jobs.lock:
            self._job(context, name)
            for run_id in ids:
                try:
                    run = self._run(context, name, run_id)
                except CommonServiceException as exc:
                    failed.append({"JobName": name, "JobRunId": run_id,
                                   "ErrorDetail": {"ErrorCode": exc.code, "ErrorMessage": exc.message}})
                    continue
                if run["JobRunState"] not in ACTIVE_STATES:
                    failed.append({"JobName": name, "JobRunId": run_id, "ErrorDetail": {
                        "ErrorCode": "InvalidInputException",
                        "ErrorMessage": f"Job Run {run_id} is in a terminal state: {run['JobRunState']}"}})
                    continue
                execution = self._runs.get(run_id)
                if execution is not None:
                    execution.request_stop()
                done.append({"JobName": name, "JobRunId": run_id})
        return {"SuccessfulSubmissions": done, "Errors": failed}


def _with_elapsed(run: dict) -> dict:
    if run["JobRunState"] in ACTIVE_STATES:
        return {**run, "ExecutionTime": int(time.time() - run["StartedOn"])}
    return run


def _lab_endpoint() -> str:
    """The lab's own URL as a job's boto3 calls reach it (LocalStack's gateway on loopback)."""
    listen = config.GATEWAY_LISTEN[0]
    host = listen.host
    if host in ("", "0.0.0.0", "::", "localhost") or ":" in host:
        host = "127.0.0.1"
    return f"http://{host}:{listen.port}"


def _state_dir() -> Path:
    return state_dir("glue") / "jobs"
