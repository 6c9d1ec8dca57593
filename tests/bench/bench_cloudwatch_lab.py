"""The CloudWatch Logs -> Kafka -> S3 lab's throughput on the native lab, stage by stage, beside
the bare clients doing each hop in the same run.

pipeline   100,000 lines (--quick 10,000; a multiple of the sink's flush.size 1000, so no partial
           object waits for rotation) appended to the access log at once; the time until the
           awslogs agent has sent them (PutLogEvents), the source connector has produced them to
           Kafka, and the S3 sink has written them, read from the three processes' stats files.
           The main lab's Kinesis agent is stopped first so the figures are the CloudWatch lab's.
baselines  the same lines with the bare clients, no lab process in between: boto3 PutLogEvents in
           10,000-event batches (the API's maximum) to another stream, and confluent-kafka producing
           them to another topic of the same broker.

Run alone: `python -m tests.bench.bench_cloudwatch_lab [--quick]`; `make bench` runs it with the others.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import boto3
import psutil
from confluent_kafka import Producer
from labctl import native
from labctl.labs.cloudwatch import lab as cloudwatch_lab
from labctl.labs.cloudwatch import native_side as cloudwatch_native

from tests.bench.run_all import render_table
from tests.conftest import free_port
from tests.support.native_lab import NativeLab, generated_lines
from tests.support.waiting import wait_for

COMPONENT = "cloudwatch_lab"
STAGES = (("awslogs-agent", "events_sent", "agent -> CloudWatch Logs"),
          ("cloudwatch-source", "records_produced", "CloudWatch Logs -> Kafka"),
          ("s3-sink", "records_written", "Kafka -> S3 objects"))


def _moved(nl: NativeLab, program: str, key: str) -> int:
    raw = cloudwatch_native.stats_json(nl.settings, program)
    try:
        return int(json.loads(raw)[key]) if raw else 0
    except (ValueError, KeyError):
        return 0  # rewritten at this moment: read again


def pipeline(nl: NativeLab, lines: list[bytes]) -> list[dict]:
    count = len(lines)
    start = {program: _moved(nl, program, key) for program, key, _ in STAGES}
    path = cloudwatch_lab.native_paths(nl.settings)["access_log"]
    started = time.monotonic()
    with path.open("ab") as log:
        log.write(b"".join(lines))
    done: dict[str, float] = {}
    for program, key, _ in STAGES:
        wait_for(lambda program=program, key=key: _moved(nl, program, key) - start[program] >= count,
                 timeout=max(300, count / 50), interval=0.1, what=f"{program} moved {count} lines")
        done[program] = time.monotonic() - started
    rss = {p: psutil.Process(native.supervisor_rpc(nl.settings).supervisor.getProcessInfo(p)["pid"]).memory_info().rss
           for p, _, _ in STAGES}
    figures = [{"component": COMPONENT, "metric": "pipeline: access log -> S3 objects", "value": count / done["s3-sink"],
                "unit": "lines/s", "target": 1000,
                "notes": f"{count:,} lines in {done['s3-sink']:.1f}s; stage done at "
                         + ", ".join(f"{label} {done[p]:.1f}s" for p, _, label in STAGES)}]
    figures += [{"component": COMPONENT, "metric": f"memory: {program}", "value": rss[program] / 2**20,
                 "unit": "MB", "target": None, "notes": f"RSS after {count:,} lines"} for program, _, _ in STAGES]
    return figures


def baseline_put_log_events(nl: NativeLab, lines: list[bytes]) -> dict:
    logs = boto3.client("logs", endpoint_url=nl.settings.localstack_url, region_name=cloudwatch_lab.WORKSHOP_REGION,
                        aws_access_key_id="test", aws_secret_access_key="test")
    group, stream = "bench-baseline", f"bare-{time.time_ns()}"
    try:
        logs.create_log_group(logGroupName=group)
    except logs.exceptions.ResourceAlreadyExistsException:
        pass
    logs.create_log_stream(logGroupName=group, logStreamName=stream)
    now = int(time.time() * 1000)
    started = time.monotonic()
    for first in range(0, len(lines), 10_000):
        events = [{"timestamp": now, "message": line.decode().rstrip("\n")} for line in lines[first:first + 10_000]]
        logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=events)
    elapsed = time.monotonic() - started
    return {"component": COMPONENT, "metric": "baseline: bare PutLogEvents (10,000/batch)",
            "value": len(lines) / elapsed, "unit": "lines/s", "target": None,
            "notes": f"{len(lines):,} lines in {elapsed:.1f}s, boto3 straight to LocalStack's Logs"}


def baseline_produce(nl: NativeLab, lines: list[bytes]) -> dict:
    producer = Producer({"bootstrap.servers": nl.settings.kafka_bootstrap, "acks": "all", "linger.ms": 20})
    topic = f"bench-baseline-{time.time_ns()}"
    started = time.monotonic()
    for line in lines:
        while True:
            try:
                producer.produce(topic, json.dumps(line.decode().rstrip("\n")).encode())
                break
            except BufferError:
                producer.poll(0.1)
    left = producer.flush(120)
    elapsed = time.monotonic() - started
    return {"component": COMPONENT, "metric": "baseline: bare Kafka produce (acks=all)",
            "value": len(lines) / elapsed, "unit": "lines/s", "target": None,
            "notes": f"{len(lines):,} records in {elapsed:.1f}s, confluent-kafka to the lab's broker "
                     f"(topics in LocalStack's S3){'; ' + str(left) + ' undelivered' if left else ''}"}


def run(quick: bool = False) -> list[dict]:
    count = 10_000 if quick else 100_000
    lines = generated_lines(count, seed=2424)
    with tempfile.TemporaryDirectory(prefix="bench-cloudwatch-") as tmp, \
            NativeLab.running(Path(tmp) / "lab", extra_env={"LAB_KAFKA_PORT": str(free_port())}) as nl:
        native.supervisor_rpc(nl.settings).supervisor.stopProcess("agent")
        cloudwatch_native.start(nl.settings)
        return pipeline(nl, lines) + [baseline_put_log_events(nl, lines), baseline_produce(nl, lines)]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true")
    print(render_table(run(quick=ap.parse_args(argv).quick)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
