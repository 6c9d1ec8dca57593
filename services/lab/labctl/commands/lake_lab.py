"""`make lake-lab`: deploy the Parquet sibling lab's CloudFormation stack into the running lab
(labctl.labs.lake.lab), feed it the shop's traffic through its Kinesis stream and end with an
Athena result over the Parquet (labctl.labs.lake.feed); VISITS=0 only deploys."""
from __future__ import annotations

import argparse

from labctl import aws_clients, lab_running
from labctl import settings as lab
from labctl.data_lake import DataLake, render_table
from labctl.labs.lake import feed
from labctl.labs.lake import lab as lake_lab


def run(settings: lab.LabSettings, args: argparse.Namespace) -> int:
    if not args.endpoint:   # an explicit --endpoint is any LocalStack, not necessarily the lab's
        lab_running.require(settings)
    if args.visits < 0:
        raise SystemExit(f"--visits {args.visits}: expected 0 or more")
    endpoint = args.endpoint or settings.localstack_url
    aws_clients.connect(endpoint)
    made = lake_lab.deploy(endpoint, args.bucket)
    print(f"stream {made.stream_name} -> {made.delivery_stream} -> s3://{made.bucket}/parquet/; "
          f"Athena database {made.database}: access_log_parquet, access_log_raw; crawler {made.crawler}")
    if args.visits == 0:
        return 0
    lake = DataLake(database=made.database, crawler=made.crawler, bucket=made.bucket, prefix="parquet/",
                    output=f"s3://{made.bucket}/athena-results/")
    rows = feed.feed_and_query(endpoint, made.stream_name, lake, args.visits)
    print(f"\n{feed.RESULT_QUERY}\n{render_table(rows)}")
    print(f"\nAsk your own: make shell, then aws athena start-query-execution --query-execution-context "
          f"Database={made.database} --result-configuration OutputLocation={lake.output} --query-string '...'")
    return 0
