"""Fixtures and helpers for the CloudFormation suite: one native LocalStack (Firehose
buffers scaled down, as the lake suites do, so a 60 s buffer flushes in 3 s) and
create/update/delete of stacks through boto3 as a user calls them, waiting for
CloudFormation's terminal states."""
from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.support.shared_servers import shared
from tests.support.waiting import wait_for

TEMPLATES = Path(__file__).parent / "templates"


@pytest.fixture(scope="module")
def cfn_localstack(tmp_path_factory):
    """Shared by the files that follow each other in this worker (tests/support/shared_servers.py)."""
    from tests.conftest import LocalStackInstance

    return shared("cfn_localstack", lambda: LocalStackInstance.running(
        tmp_path_factory.mktemp("cfn-localstack"), extra_env={"LAB_FIREHOSE_BUFFER_TIME_SCALE": "0.05"})).get()


def template(name: str) -> str:
    return (TEMPLATES / name).read_text()


def parameters(**values: str) -> list[dict]:
    return [{"ParameterKey": k, "ParameterValue": v} for k, v in values.items()]


# Statuses a stack rests in. CREATE_FAILED is one only when rollback is disabled or nothing
# could start (LocalStack also shows it for a moment before rolling back), so it must hold.
FINAL = {"CREATE_COMPLETE", "UPDATE_COMPLETE", "DELETE_COMPLETE", "ROLLBACK_COMPLETE", "ROLLBACK_FAILED",
         "UPDATE_ROLLBACK_COMPLETE", "UPDATE_ROLLBACK_FAILED", "DELETE_FAILED"}


def settled(cfn, stack: str, timeout: float = 120) -> dict:
    """The stack once its status is final (CREATE_FAILED: unchanged for 2 s)."""
    seen: dict[str, float] = {}

    def done():
        found = cfn.describe_stacks(StackName=stack)["Stacks"][0]
        status = found["StackStatus"]
        if status in FINAL:
            return found
        if status == "CREATE_FAILED":
            first = seen.setdefault(status, time.monotonic())
            return found if time.monotonic() - first >= 2 else None
        seen.clear()
        return None

    return wait_for(done, timeout=timeout, interval=0.5, what=f"stack {stack}")


def outputs(stack: dict) -> dict[str, str]:
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


def failures(cfn, stack: str) -> dict[str, str]:
    """LogicalResourceId -> reason of every *_FAILED stack event."""
    return {e["LogicalResourceId"]: e.get("ResourceStatusReason", "")
            for e in cfn.describe_stack_events(StackName=stack)["StackEvents"]
            if e["ResourceStatus"].endswith("_FAILED")}
