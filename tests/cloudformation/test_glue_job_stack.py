"""AWS::Glue::Job in a CloudFormation stack through boto3: created with what the template
sets (Ref gives the job name), updated in place with UpdateJob, removed with the stack."""
from __future__ import annotations

import uuid

import pytest
from botocore.exceptions import ClientError

from tests.cloudformation.conftest import outputs, settled

pytestmark = pytest.mark.localstack

TEMPLATE = """
Parameters:
  JobName: {Type: String}
  Timeout: {Type: Number}
  Greeting: {Type: String}
Resources:
  TicketJob:
    Type: AWS::Glue::Job
    Properties:
      Name: !Ref JobName
      Role: arn:aws:iam::000000000000:role/AWSGlueServiceRole-lab
      Command: {Name: gluestreaming, ScriptLocation: s3://lab-scripts/stream.py, PythonVersion: "3"}
      DefaultArguments: {"--greeting": !Ref Greeting, "--job-language": python}
      ExecutionProperty: {MaxConcurrentRuns: 2}
      GlueVersion: "5.0"
      WorkerType: G.1X
      NumberOfWorkers: 2
      MaxRetries: 1
      Timeout: !Ref Timeout
Outputs:
  JobRef: {Value: !Ref TicketJob}
"""


def _params(**values: str) -> list[dict]:
    return [{"ParameterKey": k, "ParameterValue": v} for k, v in values.items()]


def test_glue_job_stack_create_update_delete(cfn_localstack):
    cfn, glue = cfn_localstack.client("cloudformation"), cfn_localstack.client("glue")
    stack, name = f"gluejob-{uuid.uuid4().hex[:6]}", f"ticket-job-{uuid.uuid4().hex[:6]}"
    cfn.create_stack(StackName=stack, TemplateBody=TEMPLATE,
                     Parameters=_params(JobName=name, Timeout="60", Greeting="hello"))
    created = settled(cfn, stack)
    assert created["StackStatus"] == "CREATE_COMPLETE", created.get("StackStatusReason")
    assert outputs(created)["JobRef"] == name
    job = glue.get_job(JobName=name)["Job"]
    assert job["Command"] == {"Name": "gluestreaming", "ScriptLocation": "s3://lab-scripts/stream.py",
                              "PythonVersion": "3"}
    assert job["DefaultArguments"] == {"--greeting": "hello", "--job-language": "python"}
    assert (job["ExecutionProperty"], job["MaxRetries"], job["Timeout"]) == ({"MaxConcurrentRuns": 2}, 1, 60)
    assert (job["GlueVersion"], job["WorkerType"], job["NumberOfWorkers"]) == ("5.0", "G.1X", 2)

    cfn.update_stack(StackName=stack, TemplateBody=TEMPLATE,
                     Parameters=_params(JobName=name, Timeout="120", Greeting="again"))
    updated = settled(cfn, stack)
    assert updated["StackStatus"] == "UPDATE_COMPLETE", updated.get("StackStatusReason")
    job = glue.get_job(JobName=name)["Job"]
    assert (job["Timeout"], job["DefaultArguments"]["--greeting"]) == (120, "again")

    cfn.delete_stack(StackName=stack)
    settled(cfn, created["StackId"])
    with pytest.raises(ClientError) as gone:
        glue.get_job(JobName=name)
    assert gone.value.response["Error"]["Code"] == "EntityNotFoundException"
