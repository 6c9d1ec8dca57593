"""The sibling labs' lake-optimised delivery, deployed into the lab's LocalStack.

1. the CloudFormation stack `services/lake_lab/template.yaml` (LocalStack's community
   CloudFormation, which creates the Firehose through the lab's provider): bucket,
   Kinesis stream, the `tsv_to_json` Lambda, and the Firehose converting to Parquet;
2. the Glue database and tables, with Athena DDL as an attendee types it:
   `access_log_parquet` (the conversion's schema, over parquet/) and `access_log_raw`
   (the source lines backed up under raw/, tab-separated), so the same queries can be
   asked of both.
Run: python -m labctl.lake_lab [--bucket NAME] [--endpoint URL]
"""
from __future__ import annotations

import argparse
import logging
import time
from dataclasses import dataclass

import boto3
from botocore.exceptions import ClientError

from labctl import settings as lab

LOG = logging.getLogger(__name__)

TEMPLATE = lab.REPO_ROOT / "services" / "lake_lab" / "template.yaml"
STACK = "clickstream-lake"
DATABASE = "clickstream_lake"
COLUMNS = ("host string, datetime timestamp, request string, response int, bytes bigint, "
           "referrer string, agent string")
PARQUET_DDL = ("CREATE EXTERNAL TABLE IF NOT EXISTS access_log_parquet ({columns}) STORED AS PARQUET "
               "LOCATION 's3://{bucket}/parquet/'")
RAW_DDL = ("CREATE EXTERNAL TABLE IF NOT EXISTS access_log_raw ({columns}) ROW FORMAT DELIMITED "
           "FIELDS TERMINATED BY '\\t' LOCATION 's3://{bucket}/raw/'")


@dataclass(frozen=True)
class LakeLab:
    """What the deployment made."""

    bucket: str
    stream_name: str
    delivery_stream: str
    database: str
    outputs: dict


def _client(service: str, url: str):
    return boto3.client(service, endpoint_url=url, region_name=lab.REGION,
                        aws_access_key_id="test", aws_secret_access_key="test")


def _wait(check, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.5)
    raise TimeoutError(f"{what}: not done within {timeout:.0f}s")


def create_stack(url: str, bucket: str, buffer_interval: int = 60) -> dict:
    """Create (or reuse) the stack; its outputs once CREATE_COMPLETE."""
    cfn = _client("cloudformation", url)
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

    stack = _wait(finished, 300, f"stack {STACK}")
    if stack["StackStatus"] not in ("CREATE_COMPLETE", "UPDATE_COMPLETE"):
        events = cfn.describe_stack_events(StackName=STACK)["StackEvents"]
        reasons = [f"{e['LogicalResourceId']}: {e.get('ResourceStatusReason')}" for e in events
                   if e["ResourceStatus"].endswith("FAILED")]
        raise RuntimeError(f"stack {STACK} ended {stack['StackStatus']}: {reasons}")
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


def run_athena(url: str, sql: str, database: str, output: str, timeout: float = 60) -> str:
    """Run one statement to SUCCEEDED; its execution id (a failure raises with Athena's reason)."""
    athena = _client("athena", url)
    query_id = athena.start_query_execution(QueryString=sql, QueryExecutionContext={"Database": database},
                                            ResultConfiguration={"OutputLocation": output})["QueryExecutionId"]

    def finished():
        status = athena.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]["Status"]
        return status if status["State"] in ("SUCCEEDED", "FAILED", "CANCELLED") else None

    status = _wait(finished, timeout, f"query {query_id}")
    if status["State"] != "SUCCEEDED":
        raise RuntimeError(f"{sql[:60]}... {status['State']}: {status.get('StateChangeReason')}")
    return query_id


def create_tables(url: str, bucket: str, database: str = DATABASE) -> None:
    glue = _client("glue", url)
    try:
        glue.create_database(DatabaseInput={"Name": database, "Description": "Clickstream Lab data lake"})
    except ClientError as error:
        if error.response["Error"]["Code"] != "AlreadyExistsException":
            raise
    output = f"s3://{bucket}/athena-results/"
    for ddl in (PARQUET_DDL, RAW_DDL):
        run_athena(url, ddl.format(columns=COLUMNS, bucket=bucket), database, output)


def deploy(url: str, bucket: str = "clickstream-lake", buffer_interval: int = 60) -> LakeLab:
    outputs = create_stack(url, bucket, buffer_interval)
    create_tables(url, bucket)
    LOG.info("lake lab ready: put tab-separated lines into Kinesis %s", outputs["KinesisStreamArn"])
    return LakeLab(bucket, outputs["KinesisStreamArn"].rsplit("/", 1)[-1],
                   outputs["DeliveryStreamArn"].rsplit("/", 1)[-1], DATABASE, outputs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint", default=lab.load().localstack_url)
    parser.add_argument("--bucket", default="clickstream-lake")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    made = deploy(args.endpoint, args.bucket)
    print(f"stream {made.stream_name} -> {made.delivery_stream} -> s3://{made.bucket}/parquet/; "
          f"Athena database {made.database}: access_log_parquet, access_log_raw")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
