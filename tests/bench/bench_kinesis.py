"""Kinesis Data Streams throughput on the native LocalStack: the lab's provider (issue 34)
next to LocalStack's own (kinesis-mock) in the same run.

Figures (records/s, wall clock, the workshop's ~200-byte access-log line, a 4-shard stream):
  lab_put_records         PutRecords, 500-record batches from 2 client threads, each call
                          answered only once its records are fsync'd           target >= 10,000/s
  lab_get_records         GetRecords (Limit 10,000) over every shard from TRIM_HORIZON,
                          2 client threads                                      target >= 20,000/s
  localstack_put_records  the same puts on LocalStack's own provider (kinesis-mock)
  localstack_get_records  the same reads on LocalStack's own provider
kinesis-mock is slow per record: it gets fewer records (the rate is what is compared).

Run: python -m tests.bench.bench_kinesis [--quick]
"""
from __future__ import annotations

import argparse
import json
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.conftest import LocalStackInstance

NOTE = "wall clock, 2 client threads, 4 shards, shared 2-core machine"
LINE = (b'162.250.88.82 - - [03/Nov/2018:04:29:26 +0000] "POST home/ HTTP/1.1" 200 20494 '
        b'"www.unicornshop.com/categories//" "Mozilla/5.0 (X11; Linux x86_64)" '
        b'"user = anonymous; PHPSESSID=903f966790f4452e8b695267efe93a99"\n')
STREAM = "bench-stream"
THREADS = 2


def figure(metric: str, value: float, target: str = "", notes: str = NOTE) -> dict:
    return {"component": "kinesis", "metric": metric, "value": round(value, 1), "unit": "records/s",
            "target": target, "notes": notes}


def put_rate(instance: LocalStackInstance, count: int) -> float:
    batches = count // 500

    def send(worker: int) -> int:
        kinesis = instance.client("kinesis")
        sent = 0
        for b in range(worker, batches, THREADS):
            records = [{"Data": LINE, "PartitionKey": f"{b}-{i}"} for i in range(500)]
            answer = kinesis.put_records(StreamName=STREAM, Records=records)
            if answer["FailedRecordCount"]:
                raise RuntimeError(f"{answer['FailedRecordCount']} records failed")
            sent += len(records)
        return sent

    started = time.monotonic()
    with ThreadPoolExecutor(THREADS) as pool:
        sent = sum(pool.map(send, range(THREADS)))
    return sent / (time.monotonic() - started)


def get_rate(instance: LocalStackInstance, expected: int) -> float:
    kinesis = instance.client("kinesis")
    shards = [s["ShardId"] for s in kinesis.list_shards(StreamName=STREAM)["Shards"]]

    def drain(shard: str) -> int:
        client = instance.client("kinesis")
        it = client.get_shard_iterator(StreamName=STREAM, ShardId=shard,
                                       ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        read = 0
        while it:
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
        kinesis.create_stream(StreamName=STREAM, ShardCount=4)
        kinesis.get_waiter("stream_exists").wait(StreamName=STREAM, WaiterConfig={"Delay": 1, "MaxAttempts": 120})
        try:
            figures.append(figure(f"{label}_put_records", put_rate(instance, count),
                                  ">= 10000" if label == "lab" else ""))
            figures.append(figure(f"{label}_get_records", get_rate(instance, count),
                                  ">= 20000" if label == "lab" else ""))
        except Exception as error:  # noqa: BLE001 - reported as a failed figure
            figures.append(figure(f"{label}_put_records", 0, "", f"failed: {error}"[:300]))
    finally:
        instance.stop()
    return figures


def run(quick: bool = False) -> list[dict]:
    count = 20_000 if quick else 100_000
    with tempfile.TemporaryDirectory(prefix="bench-kinesis-") as tmp:
        figures = measure("lab", Path(tmp), count)
        figures += measure("default", Path(tmp), count // 10)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    for row in run(quick=args.quick):
        print(json.dumps(row))


if __name__ == "__main__":
    main()
