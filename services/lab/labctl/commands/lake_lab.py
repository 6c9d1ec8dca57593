"""`make lake-lab`: deploy the Parquet sibling lab's CloudFormation stack into the running lab
(labctl.labs.lake.lab) and say what it made."""
from __future__ import annotations

import argparse

from labctl import aws_clients, lab_running
from labctl import settings as lab
from labctl.labs.lake import lab as lake_lab


def run(settings: lab.LabSettings, args: argparse.Namespace) -> int:
    if not args.endpoint:   # an explicit --endpoint is any LocalStack, not necessarily the lab's
        lab_running.require(settings)
    endpoint = args.endpoint or settings.localstack_url
    aws_clients.connect(endpoint)
    made = lake_lab.deploy(endpoint, args.bucket)
    print(f"stream {made.stream_name} -> {made.delivery_stream} -> s3://{made.bucket}/parquet/; "
          f"Athena database {made.database}: access_log_parquet, access_log_raw; crawler {made.crawler}")
    return 0
