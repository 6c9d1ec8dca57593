"""A Kinesis Analytics (SQL) application and its output declared in a stack
(templates/streaming_sql.yaml): both exist in the lab's Kinesis Analytics with what the
template set, Ref gives the application's name, an update changes the SQL in place, and
deleting the stack removes the application."""
from __future__ import annotations

import uuid

import pytest
from botocore.exceptions import ClientError

from tests.cloudformation.conftest import outputs, parameters, settled, template
from tests.support.waiting import wait_for

pytestmark = pytest.mark.localstack


def test_application_and_output_create_update_delete(cfn_localstack):
    cfn, kda = cfn_localstack.client("cloudformation"), cfn_localstack.client("kinesisanalytics")
    stack, name = f"kda-{uuid.uuid4().hex[:6]}", f"request-counts-{uuid.uuid4().hex[:6]}"
    stack_id = cfn.create_stack(StackName=stack, TemplateBody=template("streaming_sql.yaml"),
                                Capabilities=["CAPABILITY_IAM"], Parameters=parameters(ApplicationName=name))["StackId"]
    created = settled(cfn, stack)
    assert created["StackStatus"] == "CREATE_COMPLETE", created.get("StackStatusReason")
    out = outputs(created)
    assert out["ApplicationRef"] == name

    detail = kda.describe_application(ApplicationName=name)["ApplicationDetail"]
    assert detail["ApplicationDescription"] == "Requests per client"
    assert detail["ApplicationStatus"] == "READY", "created, not started"
    assert "INTERVAL '10' SECOND" in detail["ApplicationCode"]
    (source,) = detail["InputDescriptions"]
    assert source["NamePrefix"] == "SOURCE_SQL_STREAM"
    assert source["InputSchema"]["RecordColumns"] == [{"Name": "client_ip", "Mapping": "$.client_ip",
                                                       "SqlType": "VARCHAR(64)"}]
    (output,) = detail["OutputDescriptions"]
    assert output["Name"] == "DESTINATION_SQL_STREAM" and output["OutputId"] == out["OutputRef"]
    assert output["KinesisStreamsOutputDescription"]["ResourceARN"] == out["ResultStreamArn"]

    cfn.update_stack(StackName=stack, TemplateBody=template("streaming_sql.yaml"), Capabilities=["CAPABILITY_IAM"],
                     Parameters=parameters(ApplicationName=name, WindowSeconds="60"))
    after = settled(cfn, stack)
    assert after["StackStatus"] == "UPDATE_COMPLETE", after.get("StackStatusReason")
    detail = kda.describe_application(ApplicationName=name)["ApplicationDetail"]
    assert "INTERVAL '60' SECOND" in detail["ApplicationCode"]
    assert [o["OutputId"] for o in detail["OutputDescriptions"]] == [out["OutputRef"]], "the output was kept"

    cfn.delete_stack(StackName=stack)
    assert settled(cfn, stack_id)["StackStatus"] == "DELETE_COMPLETE"

    def gone():
        try:
            kda.describe_application(ApplicationName=name)
            return False
        except ClientError as error:
            return error.response["Error"]["Code"] == "ResourceNotFoundException"

    wait_for(gone, timeout=20, what="the application deleted")
