"""Stacks CloudFormation must not complete: a resource type nobody in the lab can create
fails the stack with a reason naming the type (instead of LocalStack's placeholder), and
a create the service refuses fails that resource with the service's reason and rolls the
stack back (ROLLBACK_COMPLETE, what was created deleted), as AWS does (LocalStack's own
engine stops at CREATE_FAILED: the lab's `cloudformation:lab` provider rolls back)."""
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
    assert "AWS::Glue::Trigger" in result.get("StackStatusReason", ""), result.get("StackStatusReason")
    assert "AWS::S3::Bucket" not in result["StackStatusReason"], "supported types are not named"
    assert not bucket_exists(s3, bucket), "nothing of the stack is left"


def test_refused_create_fails_with_the_service_reason(cfn_localstack):
    cfn = cfn_localstack.client("cloudformation")
    stack, bucket = f"refused-{uuid.uuid4().hex[:6]}", f"refused-{uuid.uuid4().hex[:6]}"
    missing = f"nope_{uuid.uuid4().hex[:6]}"
    cfn.create_stack(StackName=stack, TemplateBody=template("missing_database.yaml"),
                     Parameters=parameters(BucketName=bucket, DatabaseName=missing))
    result = settled(cfn, stack)
    assert result["StackStatus"] == "ROLLBACK_COMPLETE", (result["StackStatus"], result.get("StackStatusReason"))
    reasons = failures(cfn, stack)
    assert "LakeBucket" not in reasons and "OrphanTable" in reasons, reasons
    assert reasons["OrphanTable"].startswith(f'Resource handler returned message: "Database {missing} not found. '
                                             f'(Service: Glue, Status Code: 400, Request ID: '), reasons
    assert reasons["OrphanTable"].endswith("HandlerErrorCode: NotFound)")
    assert not bucket_exists(cfn_localstack.client("s3"), bucket), "the rollback deleted the bucket made first"
    events = [(e["LogicalResourceId"], e["ResourceStatus"])
              for e in reversed(cfn.describe_stack_events(StackName=stack)["StackEvents"])]
    last = {event: i for i, event in enumerate(events)}   # LocalStack's engine also logs passing statuses
    assert last[("OrphanTable", "CREATE_FAILED")] < last[(stack, "ROLLBACK_IN_PROGRESS")] \
        < last[("LakeBucket", "DELETE_COMPLETE")] < last[(stack, "ROLLBACK_COMPLETE")] == len(events) - 1, events


def test_disable_rollback_keeps_what_was_created(cfn_localstack):
    cfn, s3 = cfn_localstack.client("cloudformation"), cfn_localstack.client("s3")
    stack, bucket = f"kept-{uuid.uuid4().hex[:6]}", f"kept-{uuid.uuid4().hex[:6]}"
    cfn.create_stack(StackName=stack, TemplateBody=template("missing_database.yaml"), DisableRollback=True,
                     Parameters=parameters(BucketName=bucket, DatabaseName=f"nope_{uuid.uuid4().hex[:6]}"))
    assert settled(cfn, stack)["StackStatus"] == "CREATE_FAILED"
    assert bucket_exists(s3, bucket)
