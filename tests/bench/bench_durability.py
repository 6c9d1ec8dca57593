"""What keeping the lab's state costs (issue 21; not part of the tests).

PutObject latency through boto3 on LocalStack's own in-memory S3 and on the lab's S3 on
disk (`s3:lab`: data file, its directory and the metadata journal fsync'd before the
answer), side by side; then the native start-up with 1,000,000 documents' worth of backup:
LocalStack's start with as many S3 objects as Firehose writes for them (2,000 objects of
500 documents: the restore replays one journal record per object), and real OpenSearch's
restart with N documents in its index on disk (default 20,000; `--documents 1000000` for
all): the time until the cluster is yellow with the same `_count` (nothing is rebuilt).
Only the N documents' objects carry documents; the others hold 1 KiB (restore time
depends on the number of objects, not their size).

Run: python -m tests.bench.bench_durability [--quick] [--documents N]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

from tests.conftest import LocalStackInstance, free_port
from tests.support.opensearch_server import OpenSearchProcess

DOCS_PER_OBJECT = 500
FULL = 1_000_000
NOTE = "wall clock through boto3, shared 2-core machine"


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def put_latencies(instance: LocalStackInstance, size: int, count: int) -> list[float]:
    s3 = instance.client("s3")
    s3.create_bucket(Bucket=f"bench-{size}")
    body = os.urandom(size)
    times = []
    for i in range(count):
        start = time.perf_counter()
        s3.put_object(Bucket=f"bench-{size}", Key=f"k/{i}", Body=body)
        times.append(time.perf_counter() - start)
    return times


def document(i: int) -> str:
    return json.dumps({"host": f"10.0.{i % 250}.{i % 200}", "ident": "-", "authuser": "-",
                       "datetime": "2026-12-05T10:00:00Z", "request": f"GET /products/{i % 97} HTTP/1.1",
                       "response": 200 + (i % 5), "bytes": 1000 + i % 40000, "referrer": "-",
                       "agent": "Mozilla/5.0 (bench)", "user": "anonymous", "session": f"s{i % 5000:04d}"})


def startup_with_documents(tmp: Path, documents: int) -> dict:
    from opensearchpy import helpers

    instance = LocalStackInstance(tmp / "volume", tmp / "localstack.log")
    instance.start()
    try:
        s3 = instance.client("s3")
        s3.create_bucket(Bucket="bench-backup")
        for first in range(0, documents, DOCS_PER_OBJECT):
            body = "".join(document(i) + "\n" for i in range(first, min(documents, first + DOCS_PER_OBJECT)))
            s3.put_object(Bucket="bench-backup", Key=f"bench_2026/12/05/10/obj-{first:09d}", Body=body.encode())
        for first in range(documents, FULL, DOCS_PER_OBJECT):     # the rest of 1,000,000's objects
            s3.put_object(Bucket="bench-backup", Key=f"other/obj-{first:09d}", Body=b"x" * 1024)
        instance.stop()
        start = time.perf_counter()
        instance.start()
        instance.client("s3").list_objects_v2(Bucket="bench-backup", MaxKeys=1)
        localstack_s = time.perf_counter() - start
        objects = sum(page.get("KeyCount", 0) for page in
                      instance.client("s3").get_paginator("list_objects_v2").paginate(Bucket="bench-backup"))
    finally:
        instance.stop()
    server = OpenSearchProcess(free_port(), tmp / "opensearch")
    server.start()
    try:
        client = server.client()
        helpers.bulk(client, ({"_index": "bench", "_source": document(i)} for i in range(documents)),
                     chunk_size=2000, request_timeout=120)
        client.indices.refresh(index="bench")
        server.stop()
        start = time.perf_counter()
        server.start()
        opensearch_s = time.perf_counter() - start
        assert server.client().count(index="bench")["count"] == documents
    finally:
        server.stop()
    return {"localstack_s": localstack_s, "opensearch_s": opensearch_s, "objects": objects}


def run(quick: bool = False, documents: int | None = None) -> list[dict]:
    count = 50 if quick else 300
    documents = documents or (5_000 if quick else 20_000)
    results = {}
    for label, env in (("in memory (LocalStack's)", {"PROVIDER_OVERRIDE_S3": "default"}), ("on disk (lab)", {})):
        with tempfile.TemporaryDirectory(prefix="bench-s3-") as tmp:
            instance = LocalStackInstance(Path(tmp) / "volume", Path(tmp) / "localstack.log", extra_env=env)
            instance.start()
            try:
                put_latencies(instance, 1024, 20)            # warm-up
                results[label] = {size: put_latencies(instance, size, count) for size in (1024, 1024 * 1024)}
            finally:
                instance.stop()
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp:
        startup = startup_with_documents(Path(tmp), documents)

    figures = []
    for label, by_size in results.items():
        for size, times in by_size.items():
            name = "1 KiB" if size == 1024 else "1 MiB"
            figures.append({"component": "durability", "metric": f"PutObject {name} p50 / p95, S3 {label}",
                            "value": round(statistics.median(times) * 1000, 1), "unit": "ms", "target": None,
                            "notes": f"p95 {percentile(times, 0.95) * 1000:.1f} ms, {len(times)} puts; {NOTE}"})
    figures += [
        {"component": "durability", "metric": f"LocalStack start + S3 restore, {startup['objects']} objects",
         "value": round(startup["localstack_s"], 1), "unit": "s", "target": None,
         "notes": f"the objects of 1,000,000 documents; {NOTE}"},
        {"component": "durability", "metric": f"OpenSearch restart to yellow, {documents} documents kept",
         "value": round(startup["opensearch_s"], 1), "unit": "s", "target": None,
         "notes": f"the same _count after the restart, nothing rebuilt; {NOTE}"},
    ]
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--documents", type=int)
    args = parser.parse_args()
    for fig in run(args.quick, args.documents):
        print(f"{fig['metric']:<62} {fig['value']:>8} {fig['unit']:<3} {fig['notes']}")


if __name__ == "__main__":
    main()
