"""The sibling labs' lake-optimised delivery, deployed into the lab's LocalStack.

One CloudFormation stack, `services/lake_lab/template.yaml` (LocalStack's CloudFormation,
with the lab's resource providers for Glue): bucket, Kinesis stream, the `tsv_to_json`
Lambda, the Glue database `clickstream_lake` with its tables `access_log_parquet` (the
conversion's schema, over parquet/) and `access_log_raw` (the source lines backed up under
raw/, tab-separated), so the same queries can be asked of both, a crawler of parquet/,
and the Firehose converting to Parquet with the first table.
Run: python -m labctl lake-lab [--bucket NAME] [--endpoint URL] (make lake-lab)
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from botocore.exceptions import ClientError

from labctl import aws_clients
from labctl import settings as lab
from labctl.errors import LabError
from labctl.waiting import wait_until

LOG = logging.getLogger(__name__)

TEMPLATE = lab.REPO_ROOT / "services" / "lake_lab" / "template.yaml"
STACK = "clickstream-lake"


@dataclass(frozen=True)
class LakeLab:
    """What the deployment made."""

    bucket: str
    stream_name: str
    delivery_stream: str
    database: str
    crawler: str
    outputs: dict


class StackFailed(LabError, RuntimeError):
    """The stack did not reach CREATE_COMPLETE; the message gives each failed resource's reason."""


def create_stack(url: str, bucket: str, buffer_interval: int = 60) -> dict:
    """Create (or reuse) the stack; its outputs once CREATE_COMPLETE."""
    cfn = aws_clients.client("cloudformation", url)
    try:
        cfn.create_stack(StackName=STACK, TemplateBody=TEMPLATE.read_text(), Capabilities=["CAPABILITY_IAM"],
                         Parameters=[{"ParameterKey": "BucketName", "ParameterValue": bucket},
                                     {"ParameterKey": "BufferIntervalSeconds",
                                      "ParameterValue": str(buffer_interval)}])
        LOG.info("stack %s: creating", STACK)
    except ClientError as error:
        if error.response["Error"]["Code"] != "AlreadyExistsException":
            raise

    def finished():
        stack = cfn.describe_stacks(StackName=STACK)["Stacks"][0]
        return stack if not stack["StackStatus"].endswith("IN_PROGRESS") else None

    stack = wait_until(finished, 300, what=f"stack {STACK} to leave IN_PROGRESS")
    if stack["StackStatus"] not in ("CREATE_COMPLETE", "UPDATE_COMPLETE"):
        events = cfn.describe_stack_events(StackName=STACK)["StackEvents"]
        reasons = [f"{event['LogicalResourceId']}: {event.get('ResourceStatusReason')}" for event in events
                   if event["ResourceStatus"].endswith("FAILED")]
        raise StackFailed(f"stack {STACK} ended {stack['StackStatus']}: {reasons}")
    return {output["OutputKey"]: output["OutputValue"] for output in stack.get("Outputs", [])}


def deploy(url: str, bucket: str = "clickstream-lake", buffer_interval: int = 60) -> LakeLab:
    outputs = create_stack(url, bucket, buffer_interval)
    LOG.info("lake lab ready: put tab-separated lines into Kinesis %s", outputs["KinesisStreamArn"])
    return LakeLab(bucket, outputs["KinesisStreamArn"].rsplit("/", 1)[-1],
                   outputs["DeliveryStreamArn"].rsplit("/", 1)[-1], outputs["GlueDatabase"],
                   outputs["CrawlerName"], outputs)
