"""Firehose data-lake delivery on the native LocalStack: JSON -> Parquet next to plain JSON.

Both streams run in the same LocalStack, one after the other, with the same buffering
(64 MiB / 60 s, the minimum AWS allows with conversion; the lab waits 2 % of the
interval, LAB_FIREHOSE_BUFFER_TIME_SCALE=0.02) and the same records (the ETL's JSON
document, ~230 bytes), put with PutRecordBatch (500 per call) from two threads. Each
figure is records/s from the first put until the stream's counters show every record
delivered, and the objects are checked: JSON lines counted, Parquet rows read with pyarrow.

Figures:
  lab_put_to_s3_json               Direct PUT -> S3, records as they came (the baseline)
  lab_put_to_s3_parquet            Direct PUT -> format conversion (Glue table, SNAPPY Parquet) -> S3
  lab_put_to_s3_parquet_partitioned  the same with dynamic partitioning by `response` (jq)

Run: python -m tests.bench.bench_firehose_lake [--quick]
"""
from __future__ import annotations

import io
import json
import sys
import tempfile
import time
from pathlib import Path

import pyarrow.parquet as pq

from tests.bench.bench_firehose import wait_settled
from tests.bench.figures import figure as bench_figure
from tests.conftest import LocalStackInstance
from tests.support.firehose_calls import LAMBDA_ROLE, processors, s3_destination

NOTE = "wall clock, 2 client threads, shared 2-core machine; 64 MiB / 60 s buffer, time scaled x0.02"
DOC = {"host": "162.250.88.82", "ident": None, "authuser": None, "datetime": "2018-11-03 04:29:26",
       "request": "POST home/ HTTP/1.1", "response": 200, "bytes": 20494,
       "referrer": "www.unicornshop.com/categories//", "agent": "Mozilla/5.0 (X11; Linux x86_64)"}
COLUMNS = [{"Name": k, "Type": t} for k, t in (
    ("host", "string"), ("datetime", "timestamp"), ("request", "string"), ("response", "int"),
    ("bytes", "bigint"), ("referrer", "string"), ("agent", "string"))]


def lines(count: int) -> list[bytes]:
    return [json.dumps(dict(DOC, response=(200, 404, 500)[i % 3], bytes=1000 + i)).encode() + b"\n"
            for i in range(count)]


def put_lines(instance: LocalStackInstance, name: str, records: list[bytes]) -> float:
    """Each record once, 500 per PutRecordBatch, from two threads; seconds taken."""
    from concurrent.futures import ThreadPoolExecutor

    batches = [records[i:i + 500] for i in range(0, len(records), 500)]

    def worker(share: list[list[bytes]]) -> None:
        firehose = instance.client("firehose")
        for batch in share:
            pending = [{"Data": r} for r in batch]
            while pending:
                response = firehose.put_record_batch(DeliveryStreamName=name, Records=pending)
                pending = [r for r, res in zip(pending, response["RequestResponses"]) if "ErrorCode" in res]

    start = time.perf_counter()
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(worker, [batches[i::2] for i in range(2)]))
    return time.perf_counter() - start


def stored(instance: LocalStackInstance, bucket: str) -> list[tuple[str, bytes]]:
    s3 = instance.client("s3")
    out = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for item in page.get("Contents", []):
            out.append((item["Key"], s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()))
    return out


def one_run(instance: LocalStackInstance, label: str, records: list[bytes], **extra) -> float:
    stamp = int(time.time() * 1000)
    bucket = name = f"bench-{label.replace('_', '-')}-{stamp}"
    instance.client("s3").create_bucket(Bucket=bucket)
    instance.client("firehose").create_delivery_stream(
        DeliveryStreamName=name, ExtendedS3DestinationConfiguration=s3_destination(
            bucket, size_mb=64, interval=60, ErrorOutputPrefix="errors/", **extra))
    start = time.perf_counter()
    put_lines(instance, name, records)
    counters = wait_settled(instance, name, len(records))
    elapsed = time.perf_counter() - start
    if counters["delivered"] != len(records):
        raise RuntimeError(f"{label}: {counters}")
    objects = stored(instance, bucket)
    if "DataFormatConversionConfiguration" in extra:
        rows = sum(pq.read_metadata(io.BytesIO(body)).num_rows for _, body in objects)
    else:
        rows = sum(body.count(b"\n") for _, body in objects)
    if rows != len(records):
        raise RuntimeError(f"{label}: {rows} of {len(records)} records in S3")
    return len(records) / elapsed


def figure(metric: str, value: float, notes: str = NOTE) -> dict:
    return bench_figure("firehose", metric, value, "records/s", "", notes, digits=1)


def run(quick: bool = False) -> list[dict]:
    count = 10_000 if quick else 50_000
    records = lines(count)
    figures = []
    with tempfile.TemporaryDirectory(prefix="bench-firehose-lake-") as tmp:
        instance = LocalStackInstance(Path(tmp) / "volume", Path(tmp) / "localstack.log",
                                      extra_env={"LAB_FIREHOSE_BUFFER_TIME_SCALE": "0.02"})
        instance.start()
        try:
            glue = instance.client("glue")
            glue.create_database(DatabaseInput={"Name": "bench"})
            glue.create_table(DatabaseName="bench", TableInput={"Name": "apache", "StorageDescriptor": {
                "Columns": COLUMNS, "Location": "s3://bench/"}})
            conversion = {"SchemaConfiguration": {"DatabaseName": "bench", "TableName": "apache",
                                                  "RoleARN": LAMBDA_ROLE},
                          "InputFormatConfiguration": {"Deserializer": {"OpenXJsonSerDe": {}}},
                          "OutputFormatConfiguration": {"Serializer": {"ParquetSerDe": {}}}}
            runs = [
                ("lab_put_to_s3_json", {}),
                ("lab_put_to_s3_parquet", {"DataFormatConversionConfiguration": conversion}),
                ("lab_put_to_s3_parquet_partitioned", {
                    "DataFormatConversionConfiguration": conversion, "Prefix": "r=!{partitionKeyFromQuery:r}/",
                    "DynamicPartitioningConfiguration": {"Enabled": True},
                    "ProcessingConfiguration": processors(("MetadataExtraction", {
                        "MetadataExtractionQuery": "{r: .response}", "JsonParsingEngine": "JQ-1.6"}))}),
            ]
            for label, extra in runs:
                try:
                    figures.append(figure(label, one_run(instance, label, records, **extra)))
                except Exception as error:  # noqa: BLE001 - reported as a failed figure
                    figures.append(figure(label, 0, f"failed: {error}"[:300]))
        finally:
            instance.stop()
    return figures


if __name__ == "__main__":
    for row in run(quick="--quick" in sys.argv[1:]):
        print(json.dumps(row))
