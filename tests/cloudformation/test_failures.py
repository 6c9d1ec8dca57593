"""Stacks CloudFormation must not complete: a resource type nobody in the lab can create
fails the stack with a reason naming the type (instead of LocalStack's placeholder), and
a create the service refuses fails that resource with the service's reason.

AWS then rolls the stack back (ROLLBACK_COMPLETE, what was created deleted). LocalStack
4.14's CloudFormation engine does not: its CreateStack ends CREATE_FAILED and leaves
what was created (a known gap, see the test below), so that is not asserted here."""
from __future__ import annotations

import uuid

import pytest
from botocore.exceptions import ClientError

from tests.cloudformation.conftest import failures, parameters, settled, template

pytestmark = pytest.mark.localstack


def bucket_exists(s3, name: str) -> bool:
    try:
        s3.head_bucket(Bucket=name)
        return True
    except ClientError:
        return False


def test_unsupported_resource_type_fails_the_stack(cfn_localstack):
    cfn, s3 = cfn_localstack.client("cloudformation"), cfn_localstack.client("s3")
    stack, bucket = f"unsupported-{uuid.uuid4().hex[:6]}", f"unsupported-{uuid.uuid4().hex[:6]}"
    cfn.create_stack(StackName=stack, TemplateBody=template("unsupported_type.yaml"),
                     Parameters=parameters(BucketName=bucket))
    result = settled(cfn, stack)
    assert result["StackStatus"] in ("CREATE_FAILED", "ROLLBACK_COMPLETE"), result["StackStatus"]
    assert "AWS::Glue::Job" in result.get("StackStatusReason", ""), result.get("StackStatusReason")
    assert "AWS::S3::Bucket" not in result["StackStatusReason"], "supported types are not named"
    assert not bucket_exists(s3, bucket), "nothing of the stack is left"


def test_refused_create_fails_with_the_service_reason(cfn_localstack):
    cfn = cfn_localstack.client("cloudformation")
    stack, bucket = f"refused-{uuid.uuid4().hex[:6]}", f"refused-{uuid.uuid4().hex[:6]}"
    missing = f"nope_{uuid.uuid4().hex[:6]}"
    cfn.create_stack(StackName=stack, TemplateBody=template("missing_database.yaml"),
                     Parameters=parameters(BucketName=bucket, DatabaseName=missing))
    result = settled(cfn, stack)
    # AWS: ROLLBACK_COMPLETE; LocalStack 4.14's engine: CREATE_FAILED, no rollback
    assert result["StackStatus"] in ("ROLLBACK_COMPLETE", "CREATE_FAILED"), result["StackStatus"]
    reasons = failures(cfn, stack)
    assert "LakeBucket" not in reasons and "OrphanTable" in reasons, reasons
    assert reasons["OrphanTable"].startswith(f'Resource handler returned message: "Database {missing} not found. '
                                             f'(Service: Glue, Status Code: 400, Request ID: '), reasons
    assert reasons["OrphanTable"].endswith("HandlerErrorCode: NotFound)")
    resources = {r["LogicalResourceId"]: r["ResourceStatus"]
                 for r in cfn.describe_stack_resources(StackName=stack)["StackResources"]}
    assert resources["OrphanTable"] == "CREATE_FAILED"
