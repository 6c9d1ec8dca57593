"""Kinesis Data Streams throughput on the native LocalStack: the lab's provider (issue 34)
next to LocalStack's own (kinesis-mock) in the same run.

Figures (records/s, wall clock, the workshop's ~200-byte access-log line, a 4-shard stream):
  lab_put_records         PutRecords, 500-record batches from 2 client threads, each call
                          answered only once its records are fsync'd           target >= 10,000/s
  lab_get_records         GetRecords (Limit 10,000) over every shard from TRIM_HORIZON,
                          2 client threads                                      target >= 20,000/s
  lab_kdg_to_kinesis      the lab's KDG sending the anomaly lab's template as fast as it can
                          (rendering included), one sender                     target >= 1,000/s
  localstack_put_records  the same puts on LocalStack's own provider (kinesis-mock)
  localstack_get_records  the same reads on LocalStack's own provider
Each is measured twice: with boto3 (what a Python producer or consumer sees; boto3's own
encoding, signing and per-record timestamp parsing cost the client about as much as the
service) and `*_http`, the same calls as pre-encoded JSON over HTTP (requests; the answer
decoded with `json.loads`), so the figure is the service's. The targets are for the
service (`*_http`). kinesis-mock is slow per record: it gets fewer records (the rate is what
is compared).

Run: python -m tests.bench.bench_kinesis [--quick]
"""
from __future__ import annotations

import base64
import json
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from tests.bench.figures import print_figures
from tests.conftest import REPO, LocalStackInstance

NOTE = "wall clock, 2 client threads, 4 shards, shared 2-core machine"
LINE = (b'162.250.88.82 - - [03/Nov/2018:04:29:26 +0000] "POST home/ HTTP/1.1" 200 20494 '
        b'"www.unicornshop.com/categories//" "Mozilla/5.0 (X11; Linux x86_64)" '
        b'"user = anonymous; PHPSESSID=903f966790f4452e8b695267efe93a99"\n')
STREAM = "bench"
THREADS = 2
# LocalStack accepts any signature; the header names the region and service
AUTH = "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/kinesis/aws4_request, SignedHeaders=host, Signature=0"


def http_call(session: requests.Session, url: str, operation: str, body: bytes) -> dict:
    answer = session.post(url, data=body, headers={"Content-Type": "application/x-amz-json-1.1",
                                                   "X-Amz-Target": f"Kinesis_20131202.{operation}",
                                                   "Authorization": AUTH}, timeout=120)
    if answer.status_code != 200:
        raise RuntimeError(f"{operation}: HTTP {answer.status_code} {answer.text[:200]}")
    return json.loads(answer.content)


def figure(metric: str, value: float, target: str = "", notes: str = NOTE) -> dict:
    return {"component": "kinesis", "metric": metric, "value": round(value, 1), "unit": "records/s",
            "target": target, "notes": notes}


def put_rate(instance: LocalStackInstance, stream: str, count: int, http: bool) -> float:
    batches = count // 500
    encoded = base64.b64encode(LINE).decode()
    bodies = [json.dumps({"StreamName": stream, "Records": [{"Data": encoded, "PartitionKey": f"{b}-{i}"}
                                                            for i in range(500)]}).encode()
              for b in range(batches)] if http else []

    def send(worker: int) -> int:
        kinesis, session = instance.client("kinesis"), requests.Session()
        sent = 0
        for b in range(worker, batches, THREADS):
            if http:
                answer = http_call(session, instance.url, "PutRecords", bodies[b])
            else:
                records = [{"Data": LINE, "PartitionKey": f"{b}-{i}"} for i in range(500)]
                answer = kinesis.put_records(StreamName=stream, Records=records)
            if answer["FailedRecordCount"]:
                raise RuntimeError(f"{answer['FailedRecordCount']} records failed")
            sent += len(answer["Records"])
        return sent

    started = time.monotonic()
    with ThreadPoolExecutor(THREADS) as pool:
        sent = sum(pool.map(send, range(THREADS)))
    return sent / (time.monotonic() - started)


def get_rate(instance: LocalStackInstance, stream: str, expected: int, http: bool) -> float:
    kinesis = instance.client("kinesis")
    shards = [s["ShardId"] for s in kinesis.list_shards(StreamName=stream)["Shards"]]

    def drain(shard: str) -> int:
        client, session = instance.client("kinesis"), requests.Session()
        it = client.get_shard_iterator(StreamName=stream, ShardId=shard,
                                       ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        read = 0
        while it:
            if http:
                page = http_call(session, instance.url, "GetRecords",
                                 json.dumps({"ShardIterator": it, "Limit": 10000}).encode())
            else:
                page = client.get_records(ShardIterator=it, Limit=10000)
            read += len(page["Records"])
            if not page["Records"] and page.get("MillisBehindLatest", 0) == 0:
                break
            it = page.get("NextShardIterator")
        return read

    started = time.monotonic()
    with ThreadPoolExecutor(THREADS) as pool:
        read = sum(pool.map(drain, shards))
    elapsed = time.monotonic() - started
    if read < expected:
        raise RuntimeError(f"read {read} of {expected} records")
    return read / elapsed


def measure(provider: str, tmp: Path, count: int) -> list[dict]:
    label = "lab" if provider == "lab" else "localstack"
    instance = LocalStackInstance(tmp / provider / "volume", tmp / f"{provider}.log",
                                  extra_env={"PROVIDER_OVERRIDE_KINESIS": provider})
    instance.start()
    figures = []
    try:
        kinesis = instance.client("kinesis")
        for http in (False, True):
            stream, suffix = f"{STREAM}-{'http' if http else 'boto3'}", "_http" if http else ""
            kinesis.create_stream(StreamName=stream, ShardCount=4)
            kinesis.get_waiter("stream_exists").wait(StreamName=stream, WaiterConfig={"Delay": 1, "MaxAttempts": 120})
            try:
                figures.append(figure(f"{label}_put_records{suffix}", put_rate(instance, stream, count, http),
                                      ">= 10000" if label == "lab" and http else ""))
                figures.append(figure(f"{label}_get_records{suffix}", get_rate(instance, stream, count, http),
                                      ">= 20000" if label == "lab" and http else ""))
            except Exception as error:  # noqa: BLE001 - reported as a failed figure
                figures.append(figure(f"{label}_records{suffix}", 0, "", f"failed: {error}"[:300]))
        if label == "lab":
            try:
                figures.append(figure("lab_kdg_to_kinesis", kdg_rate(instance, count // 2), ">= 1000",
                                      "the lab's KDG (generator.kdg) rendering the anomaly lab's template and "
                                      "sending as fast as it can (rate 0), PutRecords of 500; one sender"))
            except Exception as error:  # noqa: BLE001 - reported as a failed figure
                figures.append(figure("lab_kdg_to_kinesis", 0, "", f"failed: {error}"[:300]))
    finally:
        instance.stop()
    return figures


def kdg_rate(instance: LocalStackInstance, count: int) -> float:
    """Records/s the KDG puts into a 1-shard stream: rendering, PutRecords and its retries."""
    from generator.kdg.sender import Generator, Target, make_clients
    from generator.kdg.template import compile_template

    kinesis = instance.client("kinesis")
    kinesis.create_stream(StreamName="bench-kdg", ShardCount=1)
    kinesis.get_waiter("stream_exists").wait(StreamName="bench-kdg", WaiterConfig={"Delay": 1, "MaxAttempts": 120})
    template = compile_template((REPO / "services" / "anomaly_lab" / "normal.template.json").read_text())
    sender = Generator(template, Target("kinesis", "bench-kdg"), make_clients(instance.url), rate=0, count=count)
    started = time.perf_counter()
    sender.run()
    elapsed = time.perf_counter() - started
    sent = sender.progress.snapshot()["sent"]
    if sent < count:
        raise RuntimeError(f"the KDG sent {sent} of {count} records: {sender.progress.snapshot()}")
    return sent / elapsed


def run(quick: bool = False) -> list[dict]:
    count = 20_000 if quick else 100_000
    with tempfile.TemporaryDirectory(prefix="bench-kinesis-") as tmp:
        figures = measure("lab", Path(tmp), count)
        figures += measure("default", Path(tmp), count // 10)
    return figures


def main() -> None:
    print_figures(run, __doc__)


if __name__ == "__main__":
    main()
