"""The workshop's flow as an attendee runs it with boto3: provisioning's Glue database
and crawler over the backup, a crawl, then the example queries of
services/lab/athena/example_queries.sql; every answer is compared with a reference
computed here in plain Python from the same S3 objects."""
from __future__ import annotations

import gzip
import json
import uuid
from collections import Counter, defaultdict
from datetime import datetime

import pytest
from labctl import data_lake

from tests.glue.lake_data import write_backup

pytestmark = pytest.mark.localstack

ROLE = "arn:aws:iam::000000000000:role/glue_crawler_role"


@pytest.fixture(scope="module")
def lake_run(localstack):
    """A backup of 3,000 documents crawled by the provisioned crawler."""
    s3 = localstack.client("s3")
    suffix = uuid.uuid4().hex[:8]
    lake = data_lake.DataLake(database=f"clickstream_{suffix}", crawler=f"crawler_{suffix}",
                              bucket=f"backup-{suffix}", output=f"s3://backup-{suffix}/athena-results/")
    s3.create_bucket(Bucket=lake.bucket)
    write_backup(s3, lake.bucket, count=3000, prefix=lake.prefix)
    # what Firehose writes when OpenSearch refuses documents: not part of the backup's table
    failed = {"attemptsMade": 1, "errorCode": "400", "errorMessage": "mapper_parsing_exception", "rawData": "e30="}
    s3.put_object(Bucket=lake.bucket, Key=f"{lake.prefix}AmazonOpenSearchService-failed/2026/11/03/09/x",
                  Body=(json.dumps(failed) + "\n").encode())
    data_lake.ensure_data_lake(localstack.client("glue"), ROLE, lake)
    data_lake.ensure_data_lake(localstack.client("glue"), ROLE, lake)    # idempotent
    crawler = data_lake.crawl(localstack.client("glue"), lake, timeout=120)
    assert crawler["LastCrawl"]["Status"] == "SUCCEEDED"
    return lake, read_documents(s3, lake.bucket, lake.prefix)


def read_documents(s3, bucket: str, prefix: str) -> list[dict]:
    """Every backup document under the prefix, read back from S3 independently of the lab's code."""
    docs = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            if "-failed/" in item["Key"]:
                continue
            body = s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
            if body[:2] == b"\x1f\x8b":
                body = gzip.decompress(body)
            docs += [json.loads(line) for line in body.decode().splitlines() if line.strip()]
    return docs


def answer(localstack, lake, name: str) -> list[list]:
    execution, rows = data_lake.run_query(localstack.client("athena"), data_lake.example_queries()[name], lake)
    assert execution["Status"]["State"] == "SUCCEEDED", execution["Status"]
    return rows


def test_top_pages(localstack, lake_run):
    lake, docs = lake_run
    hits = Counter(d["path"] for d in docs if d["path"] is not None)
    expected = sorted(hits.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
    assert answer(localstack, lake, "top_pages") == [["path", "hits"]] + [[p, str(n)] for p, n in expected]


def test_status_per_hour(localstack, lake_run):
    lake, docs = lake_run
    counts = Counter()
    for d in docs:
        if d["response"] is None:
            continue
        hour = datetime.fromisoformat(d["@timestamp_utc"]).strftime("%Y-%m-%d %H:00:00.000 UTC")
        counts[(hour, f"{d['response'] // 100}xx")] += 1
    expected = [[h, c, str(n)] for (h, c), n in sorted(counts.items())]
    assert answer(localstack, lake, "status_per_hour") == [["hour_utc", "status_class", "requests"]] + expected


def test_sessions_per_user(localstack, lake_run):
    lake, docs = lake_run
    sessions, requests = defaultdict(set), Counter()
    for d in docs:
        if d["username"] is not None:
            requests[d["username"]] += 1
            if d["session_id"] is not None:
                sessions[d["username"]].add(d["session_id"])
    ranked = sorted(requests, key=lambda u: (-len(sessions[u]), -requests[u], u))[:20]
    assert len(ranked) > 5
    expected = [[u, str(len(sessions[u])), str(requests[u])] for u in ranked]
    assert answer(localstack, lake, "sessions_per_user") == [["username", "sessions", "requests"]] + expected


def test_failing_urls(localstack, lake_run):
    lake, docs = lake_run
    errors, server, hosts = Counter(), Counter(), defaultdict(set)
    for d in docs:
        if d["response"] is not None and d["response"] >= 400:
            errors[d["path"]] += 1
            server[d["path"]] += d["response"] >= 500
            hosts[d["path"]].add(d["host"])
    ranked = sorted(errors, key=lambda p: (-errors[p], p or ""))[:10]
    assert errors
    expected = [[p, str(errors[p]), str(server[p]), str(len(hosts[p]))] for p in ranked]
    assert answer(localstack, lake, "failing_urls") == [["path", "errors", "server_errors", "clients"]] + expected


def test_status_counts(localstack, lake_run):
    lake, _ = lake_run
    counts = data_lake.status_counts(localstack.client("glue"), localstack.client("athena"), lake)
    assert counts["crawler"] == {"name": lake.crawler, "state": "READY", "last_crawl": "SUCCEEDED"}
    assert counts["tables"] == {"apache_": 4}
    assert sum(counts["queries"].values()) >= 1
