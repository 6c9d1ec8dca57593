"""Glue job definitions and runs through boto3 (pythonshell jobs: no Spark needed for the
API's behaviour): CRUD and AWS's defaults and errors, argument merging and the reserved
arguments, FAILED with the exception's message, a missing script, BatchStopJobRun,
ConcurrentRunsExceededException, and the driver's output in CloudWatch Logs."""
from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from tests.glue_jobs.conftest import ROLE

pytestmark = pytest.mark.localstack

SLEEPER = "import time\nprint('started', flush=True)\ntime.sleep(600)\n"


def test_job_crud_and_defaults(glue_lab):
    glue = glue_lab.glue
    name = glue_lab.job("print('hi')", kind="glueetl", DefaultArguments={"--a": "1"}, GlueVersion="5.0")
    job = glue.get_job(JobName=name)["Job"]
    assert job["Command"] == {"Name": "glueetl", "ScriptLocation": job["Command"]["ScriptLocation"],
                              "PythonVersion": "3"}
    assert job["ExecutionProperty"] == {"MaxConcurrentRuns": 1}
    assert (job["Timeout"], job["MaxRetries"], job["MaxCapacity"], job["GlueVersion"]) == (2880, 0, 10.0, "5.0")
    assert name in glue.list_jobs()["JobNames"]
    assert name in [j["Name"] for j in glue.get_jobs()["Jobs"]]

    with pytest.raises(ClientError) as exists:
        glue.create_job(Name=name, Role=ROLE, Command={"Name": "glueetl", "ScriptLocation": "s3://b/k.py"})
    assert exists.value.response["Error"]["Code"] == "AlreadyExistsException"

    # UpdateJob replaces the definition: what JobUpdate leaves out goes back to the defaults
    glue.update_job(JobName=name, JobUpdate={"Role": ROLE, "Command": {"Name": "pythonshell",
                                                                       "ScriptLocation": "s3://b/k.py"}})
    job = glue.get_job(JobName=name)["Job"]
    assert "DefaultArguments" not in job and job["MaxCapacity"] == 0.0625 and job["Command"]["Name"] == "pythonshell"

    assert glue.delete_job(JobName=name)["JobName"] == name
    assert glue.delete_job(JobName=name)["JobName"] == name   # no error for a job that is not there
    with pytest.raises(ClientError) as gone:
        glue.get_job(JobName=name)
    assert gone.value.response["Error"]["Code"] == "EntityNotFoundException"


@pytest.mark.parametrize("change, code", [
    ({"Command": {"Name": "sparkthing", "ScriptLocation": "s3://b/k.py"}}, "InvalidInputException"),
    ({"Timeout": 20000}, "InvalidInputException"),
])
def test_bad_definitions_are_refused(glue_lab, change, code):
    request = {"Name": "bad-job", "Role": ROLE, "Command": {"Name": "glueetl", "ScriptLocation": "s3://b/k.py"},
               **change}
    with pytest.raises(ClientError) as refused:
        glue_lab.glue.create_job(**request)
    assert refused.value.response["Error"]["Code"] == code


def test_unknown_job_and_run(glue_lab):
    glue = glue_lab.glue
    with pytest.raises(ClientError) as start:
        glue.start_job_run(JobName="no-such-job")
    assert start.value.response["Error"]["Code"] == "EntityNotFoundException"
    name = glue_lab.job("print(1)")
    with pytest.raises(ClientError) as run:
        glue.get_job_run(JobName=name, RunId="jr_" + "0" * 64)
    assert run.value.response["Error"]["Code"] == "EntityNotFoundException"


def test_arguments_merge_and_reserved_ones_in_the_output_log(glue_lab):
    """getResolvedOptions answers as AWS's awsglue.utils does (its published source): the
    reserved options of a run always come back (keys with underscores, the bookmark option
    defaulted, TempDir mirrored to RedshiftTempDir), asking for a reserved one is refused,
    a missing one is named, and unasked arguments are ignored."""
    source = """
        import json, sys
        from awsglue.utils import GlueArgumentError, getResolvedOptions
        args = getResolvedOptions(sys.argv, ["JOB_NAME", "TempDir", "shared", "only_default", "only_run", "my-opt"])
        refused = []
        for reserved in (["job-bookmark-option"], ["JOB_RUN_ID"], ["job-bookmark-from"], ["encryption-type"]):
            try:
                getResolvedOptions(sys.argv, reserved)
            except RuntimeError as exc:
                refused.append(str(exc))
        try:
            getResolvedOptions(sys.argv, ["JOB_NAME", "not_given", "nor_this"])
        except GlueArgumentError as exc:
            refused.append(str(exc))
        print(json.dumps({"args": args, "refused": refused}))
    """
    name = glue_lab.job(source, DefaultArguments={"--shared": "default", "--only_default": "d"})
    run_id = glue_lab.glue.start_job_run(JobName=name, Arguments={"--shared": "run", "--only_run": "r",
                                                                   "--my-opt": "dashes", "--unasked": "x"})["JobRunId"]
    run = glue_lab.finish(name, run_id)
    assert run["JobRunState"] == "SUCCEEDED", run.get("ErrorMessage")
    assert run["Arguments"] == {"--shared": "run", "--only_run": "r", "--my-opt": "dashes", "--unasked": "x"}
    assert run["ExecutionTime"] >= 0 and run["CompletedOn"] >= run["StartedOn"]
    printed = json.loads(glue_lab.log_lines("/aws-glue/jobs/output", run_id)[-1])
    args = printed["args"]
    assert args["TempDir"].startswith("s3://") and args["RedshiftTempDir"] == args["TempDir"]
    assert args["JOB_ID"].startswith("j_")
    assert args == {"JOB_NAME": name, "JOB_ID": args["JOB_ID"], "JOB_RUN_ID": run_id, "SECURITY_CONFIGURATION": None,
                    "TempDir": args["TempDir"], "RedshiftTempDir": args["TempDir"],
                    "job_bookmark_option": "job-bookmark-disable", "job_bookmark_from": None,
                    "job_bookmark_to": None, "encryption_type": None,
                    "shared": "run", "only_default": "d", "only_run": "r", "my_opt": "dashes"}
    assert printed["refused"] == ["Using reserved arguments job-bookmark-option",
                                  "Using reserved arguments --JOB_RUN_ID",
                                  "Using reserved arguments --job-bookmark-from",
                                  "Using reserved arguments --encryption-type",
                                  "the following arguments are required: --not_given, --nor_this"]


def test_a_script_that_raises_ends_failed_with_its_message(glue_lab):
    name = glue_lab.job("print('before')\nraise ValueError('the input had 3 bad rows')\n")
    run_id = glue_lab.glue.start_job_run(JobName=name)["JobRunId"]
    run = glue_lab.finish(name, run_id)
    assert run["JobRunState"] == "FAILED"
    assert "ValueError: the input had 3 bad rows" in run["ErrorMessage"]
    assert "Failed Line Number: 2" in run["ErrorMessage"]
    assert glue_lab.log_lines("/aws-glue/jobs/output", run_id) == ["before"]
    assert any("ValueError: the input had 3 bad rows" in line for line in
               glue_lab.log_lines("/aws-glue/jobs/error", run_id))


def test_a_missing_script_ends_failed(glue_lab):
    name = f"missing-{glue_lab.bucket}"
    location = f"s3://{glue_lab.bucket}/scripts/not-there.py"
    glue_lab.glue.create_job(Name=name, Role=ROLE, Command={"Name": "glueetl", "ScriptLocation": location})
    run_id = glue_lab.glue.start_job_run(JobName=name)["JobRunId"]
    run = glue_lab.finish(name, run_id)
    assert run["JobRunState"] == "FAILED"
    assert location in run["ErrorMessage"] and "NoSuchKey" in run["ErrorMessage"]


def test_concurrent_runs_and_batch_stop(glue_lab):
    glue = glue_lab.glue
    name = glue_lab.job(SLEEPER, ExecutionProperty={"MaxConcurrentRuns": 1})
    first = glue.start_job_run(JobName=name)["JobRunId"]
    with pytest.raises(ClientError) as exceeded:
        glue.start_job_run(JobName=name)
    assert exceeded.value.response["Error"]["Code"] == "ConcurrentRunsExceededException"
    assert exceeded.value.response["Error"]["Message"] == f"Concurrent runs exceeded for {name}"
    glue_lab.wait_state(name, first, ("RUNNING",))

    stopped = glue.batch_stop_job_run(JobName=name, JobRunIds=[first, "jr_" + "1" * 64])
    assert stopped["SuccessfulSubmissions"] == [{"JobName": name, "JobRunId": first}]
    assert [e["ErrorDetail"]["ErrorCode"] for e in stopped["Errors"]] == ["EntityNotFoundException"]
    run = glue_lab.finish(name, first, timeout=60)
    assert run["JobRunState"] == "STOPPED"
    # stopped: the next run may start; a finished run cannot be stopped again
    second = glue.start_job_run(JobName=name)["JobRunId"]
    again = glue.batch_stop_job_run(JobName=name, JobRunIds=[first])
    assert again["SuccessfulSubmissions"] == [] and len(again["Errors"]) == 1
    glue.batch_stop_job_run(JobName=name, JobRunIds=[second])
    assert glue_lab.finish(name, second, timeout=60)["JobRunState"] == "STOPPED"
    assert [r["Id"] for r in glue.get_job_runs(JobName=name)["JobRuns"]] == [second, first]
