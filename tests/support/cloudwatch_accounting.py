"""The CloudWatch lab's stages as multisets of access-log lines, for the accounting tests of both
runtimes (tests/cloudwatch_lab/test_line_accounting.py natively, tests/compose/test_compose_e2e.py on
the compose lab): the events in CloudWatch Logs, the values in the S3 sink's objects (with the
objects' names), and what is missing or extra against the lines written. Kafka's records:
tests/support/kafka_records.py.
"""
from __future__ import annotations

import json
from collections import Counter

import boto3
from labctl.labs.cloudwatch import lab as cloudwatch_lab


def aws_client(localstack_url: str, service: str, region: str = "us-east-1"):
    return boto3.client(service, endpoint_url=localstack_url, region_name=region,
                        aws_access_key_id="test", aws_secret_access_key="test")


def cloudwatch_messages(localstack_url: str) -> list[str]:
    """Every event's message in every stream of the log group, in the workshop's region."""
    logs = aws_client(localstack_url, "logs", cloudwatch_lab.WORKSHOP_REGION)
    messages = []
    for stream in logs.describe_log_streams(logGroupName=cloudwatch_lab.LOG_GROUP)["logStreams"]:
        kwargs = {"logGroupName": cloudwatch_lab.LOG_GROUP, "logStreamName": stream["logStreamName"],
                  "startFromHead": True}
        while True:
            page = logs.get_log_events(**kwargs)
            messages += [e["message"] for e in page["events"]]
            if not page["events"] or page["nextForwardToken"] == kwargs.get("nextToken"):
                break
            kwargs["nextToken"] = page["nextForwardToken"]
    return messages


def sink_lines(localstack_url: str) -> tuple[list[str], list[str]]:
    """The values in the sink's objects, and the object names (keys objects left out)."""
    s3 = aws_client(localstack_url, "s3")
    lines, names = [], []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=cloudwatch_lab.SINK_BUCKET, Prefix="topics/"):
        for obj in page.get("Contents", []):
            if not obj["Key"].endswith(".json") or obj["Key"].endswith(".keys.json"):
                continue
            names.append(obj["Key"])
            body = s3.get_object(Bucket=cloudwatch_lab.SINK_BUCKET, Key=obj["Key"])["Body"].read().decode()
            lines += [json.loads(line) for line in body.splitlines() if line]
    return lines, names


def missing_and_extra(written: list[str], seen: list[str]) -> tuple[Counter, Counter]:
    want, got = Counter(written), Counter(seen)
    return want - got, got - want
