"""Firehose throughput on the native LocalStack: the lab's provider next to LocalStack's own.

Each figure is records per second from the first put until every record is
accounted for (the stream's counters show nothing buffered, or, for
LocalStack's synchronous provider, the puts returned and the objects/documents
are there). Records are the workshop's access-log line (~200 bytes), put with
PutRecordBatch (500 per call) from two client threads.

Figures:
  lab_put_to_s3_via_lambda        Direct PUT -> Lambda (pass-through) -> S3         target >= 5,000/s
  lab_put_to_opensearch_via_lambda  Direct PUT -> Lambda -> real OpenSearch (bulk)
  lab_put_accept_rate             records/s acknowledged by PutRecordBatch (journaled)
  localstack_put_to_s3_via_lambda   the same S3 run on LocalStack's own Firehose provider
  localstack_put_to_opensearch_via_lambda  the same OpenSearch run on LocalStack's own provider
  lab_twisted_gateway_*           the lab's runs behind LocalStack's default (twisted) gateway:
                                  the baseline for the lab's choice of hypercorn, which binds
                                  only the address it is given
The Lambda is tolerant (LocalStack's own provider sends no recordId) and returns
every record Ok, unchanged.

Run: python -m tests.bench.bench_firehose [--quick]
"""
from __future__ import annotations

import json
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from tests.bench.figures import figure as bench_figure
from tests.bench.figures import print_figures
from tests.conftest import LocalStackInstance, free_port
from tests.support.firehose_calls import (
    LAMBDA_ROLE,
    lambda_zip,
    processing,
    s3_destination,
)
from tests.support.opensearch_server import OpenSearchProcess

NOTE = "wall clock, 2 client threads, shared 2-core machine"
LINE = (b'162.250.88.82 - - [03/Nov/2018:04:29:26 +0000] "POST home/ HTTP/1.1" 200 20494 '
        b'"www.unicornshop.com/categories//" "Mozilla/5.0 (X11; Linux x86_64)" '
        b'"user = anonymous; PHPSESSID=903f966790f4452e8b695267efe93a99"\n')
DOC_LINE = json.dumps({"host": "162.250.88.82", "request": "POST home/", "response": 200}).encode() + b"\n"

PASS_THROUGH = """
def lambda_handler(event, context):
    return {"records": [{"recordId": r.get("recordId", ""), "result": "Ok",
                         "data": r.get("data") or r.get("Data")} for r in event["records"]]}
"""


def create_function(instance: LocalStackInstance, name: str) -> str:
    client = instance.client("lambda")
    arn = client.create_function(FunctionName=name, Runtime="python3.13", Role=LAMBDA_ROLE,
                                 Handler="handler.lambda_handler", Code={"ZipFile": lambda_zip(PASS_THROUGH)},
                                 Timeout=60)["FunctionArn"]
    client.get_waiter("function_active_v2").wait(FunctionName=name)
    return arn


def put_all(instance: LocalStackInstance, name: str, line: bytes, count: int, threads: int = 2) -> float:
    """Put `count` records in batches of 500 from `threads` clients; returns seconds taken."""
    batches = [min(500, count - start) for start in range(0, count, 500)]

    def worker(share: list[int]) -> None:
        firehose = instance.client("firehose")
        for size in share:
            records = [{"Data": line}] * size
            while records:
                response = firehose.put_record_batch(DeliveryStreamName=name, Records=records)
                records = [r for r, result in zip(records, response["RequestResponses"]) if "ErrorCode" in result]

    start = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(worker, [batches[i::threads] for i in range(threads)]))
    return time.perf_counter() - start


def wait_settled(instance: LocalStackInstance, name: str, count: int, timeout: float = 600) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        c = requests.get(f"{instance.url}/_lab/firehose/streams/{name}", timeout=10).json()["counters"]
        if c["received"] >= count and c["buffered_records"] == 0:
            return c
        time.sleep(0.2)
    raise TimeoutError(f"{name}: not delivered within {timeout}s")


def s3_record_count(instance: LocalStackInstance, bucket: str) -> int:
    s3 = instance.client("s3")
    total = 0
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for item in page.get("Contents", []):
            total += s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read().count(b"\n")
    return total


def search_count(url: str, index: str) -> int:
    requests.post(f"{url}/{index}/_refresh", timeout=30)
    response = requests.get(f"{url}/{index}/_count", timeout=30)
    return response.json().get("count", 0) if response.ok else 0


def s3_run(instance: LocalStackInstance, fn: str, count: int, lab: bool) -> tuple[float, float]:
    """(records/s end to end, records/s accepted) for Direct PUT -> Lambda -> S3."""
    s3 = instance.client("s3")
    bucket, name = f"bench-s3-{int(time.time() * 1000)}", f"bench-s3-{int(time.time() * 1000)}"
    s3.create_bucket(Bucket=bucket)
    instance.client("firehose").create_delivery_stream(
        DeliveryStreamName=name,
        ExtendedS3DestinationConfiguration=s3_destination(bucket, size_mb=5, interval=1,
                                                          ProcessingConfiguration=processing(fn, retries=3)))
    start = time.perf_counter()
    put_seconds = put_all(instance, name, LINE, count)
    if lab:
        counters = wait_settled(instance, name, count)
        assert counters["delivered"] == count, counters
    elapsed = time.perf_counter() - start
    delivered = s3_record_count(instance, bucket)
    if delivered != count:
        raise RuntimeError(f"{delivered} of {count} records reached S3")
    return count / elapsed, count / put_seconds


def opensearch_run(instance: LocalStackInstance, fn: str, opensearch_url: str, count: int, lab: bool) -> float:
    stamp = int(time.time() * 1000)
    bucket, name, index = f"bench-os-{stamp}", f"bench-os-{stamp}", f"bench-{stamp}"
    instance.client("s3").create_bucket(Bucket=bucket)
    instance.client("firehose").create_delivery_stream(
        DeliveryStreamName=name,
        AmazonopensearchserviceDestinationConfiguration={
            "RoleARN": LAMBDA_ROLE, "ClusterEndpoint": opensearch_url, "IndexName": index,
            "IndexRotationPeriod": "NoRotation", "BufferingHints": {"SizeInMBs": 5, "IntervalInSeconds": 1},
            "RetryOptions": {"DurationInSeconds": 60}, "S3BackupMode": "FailedDocumentsOnly",
            "S3Configuration": s3_destination(bucket), "ProcessingConfiguration": processing(fn, retries=3),
        })
    start = time.perf_counter()
    put_all(instance, name, DOC_LINE, count)
    if lab:
        wait_settled(instance, name, count)
    elapsed = time.perf_counter() - start
    indexed = search_count(opensearch_url, index)
    if indexed != count:
        raise RuntimeError(f"{indexed} of {count} documents indexed")
    return count / elapsed


def figure(metric: str, value: float, target: str = "", notes: str = NOTE) -> dict:
    return bench_figure("firehose", metric, value, "records/s", target, notes, digits=1)


def measure(provider: str, tmp: Path, opensearch: OpenSearchProcess, s3_count: int, os_count: int,
            gateway: str = "hypercorn") -> list[dict]:
    lab = provider == "lab"
    label = ("lab" if lab else "localstack") + ("" if gateway == "hypercorn" else f"_{gateway}_gateway")
    instance = LocalStackInstance(tmp / f"{provider}-{gateway}" / "volume", tmp / f"{provider}-{gateway}.log",
                                  firehose_provider=provider, extra_env={"GATEWAY_SERVER": gateway})
    instance.start()
    figures = []
    try:
        fn = create_function(instance, f"bench-pass-{provider}")
        try:
            end_to_end, accepted = s3_run(instance, fn, s3_count, lab)
            figures.append(figure(f"{label}_put_to_s3_via_lambda", end_to_end, ">= 5000" if lab else ""))
            if label == "lab":
                figures.append(figure("lab_put_accept_rate", accepted, "", "PutRecordBatch acknowledged "
                                      "(journaled), " + NOTE))
        except Exception as error:  # noqa: BLE001 - reported as a failed figure
            figures.append(figure(f"{label}_put_to_s3_via_lambda", 0, ">= 5000" if lab else "",
                                  f"failed: {error}"[:300]))
        try:
            figures.append(figure(f"{label}_put_to_opensearch_via_lambda",
                                  opensearch_run(instance, fn, opensearch.url, os_count, lab), "",
                                  NOTE))
        except Exception as error:  # noqa: BLE001 - reported as a failed figure
            figures.append(figure(f"{label}_put_to_opensearch_via_lambda", 0, "", f"failed: {error}"[:300]))
    finally:
        instance.stop()
    return figures


def run(quick: bool = False) -> list[dict]:
    s3_count = 10_000 if quick else 50_000
    os_count = 2_000 if quick else 10_000
    with tempfile.TemporaryDirectory(prefix="bench-firehose-") as tmp:
        opensearch = OpenSearchProcess(free_port(), Path(tmp) / "opensearch")
        opensearch.start()
        try:
            figures = measure("lab", Path(tmp), opensearch, s3_count, os_count)
            figures += measure("lab", Path(tmp), opensearch, s3_count, os_count, gateway="twisted")
            # LocalStack's own provider is synchronous and slow per record: fewer records.
            figures += measure("default", Path(tmp), opensearch, s3_count // 5, os_count // 10)
        finally:
            opensearch.stop()
    return figures


def main() -> None:
    print_figures(run, __doc__)


if __name__ == "__main__":
    main()
