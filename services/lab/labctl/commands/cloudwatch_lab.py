"""`make cloudwatch-lab`: with the lab running, provision the CloudWatch Logs -> Kafka -> S3 lab
and start its four processes (the Kafka broker, the CloudWatch Logs agent, the CloudWatch Logs
source and S3 sink connectors), wait until they are ready and say what to do next.
`--provision-only` creates the buckets and nothing else (the compose profile's one-shot runs it)."""
from __future__ import annotations

import argparse
import sys

from labctl import aws_clients, lab_running, labs
from labctl import settings as lab
from labctl.labs.cloudwatch import lab as cloudwatch_lab


def run(settings: lab.LabSettings, args: argparse.Namespace) -> int:
    if args.provision_only:
        url = args.localstack_url or settings.localstack_url
        aws_clients.connect(url)
        made = cloudwatch_lab.provision(url)
        print(f"bucket {cloudwatch_lab.SINK_BUCKET}: "
              + (f"created {', '.join(made)}" if made else "already there"))
        return 0
    runtime = lab_running.require(settings)
    hook = labs.hook("cloudwatch-lab", runtime.name, settings)
    rc = hook.start()
    if rc:
        print("make cloudwatch-lab: not ready (make logs, make status)", file=sys.stderr)
        return rc
    stream = hook.instance_id()
    print(f"\nThe CloudWatch lab is running ({runtime.name} runtime):")
    print(f"  agent        access_log -> CloudWatch Logs group {cloudwatch_lab.LOG_GROUP}, stream {stream} "
          f"(region {cloudwatch_lab.WORKSHOP_REGION})")
    print(f"  Kafka        {settings.kafka_bootstrap}  (topic {cloudwatch_lab.LOG_GROUP}.{stream})")
    print(f"  S3 sink      s3://{cloudwatch_lab.SINK_BUCKET}/topics/ on {settings.localstack_url}")
    print("Next: `make generate` (traffic), `make status` (what each stage moved), "
          "`make notebooks` (the Spark notebooks over the sink's objects).")
    print("Walkthrough: services/cloudwatch_lab/README.md")
    return 0
