"""The workshop's flow as an attendee runs it with boto3: provisioning's Glue database
and crawler over the backup, a crawl, then the example queries of
services/lab/athena/example_queries.sql; every answer is compared with a reference
computed in plain Python from the same S3 objects (tests/support/example_answers.py)."""
from __future__ import annotations

import json
import uuid

import pytest
from labctl import data_lake

from tests.glue.lake_data import write_backup
from tests.support import example_answers

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
    docs = [d for ds in example_answers.backup_objects(s3, lake.bucket, lake.prefix).values() for d in ds]
    return lake, docs


@pytest.mark.parametrize("name", list(example_answers.ANSWERS))
def test_example_query_equals_the_python_reference(localstack, lake_run, name):
    lake, docs = lake_run
    execution, rows = data_lake.run_query(localstack.client("athena"), data_lake.example_queries()[name], lake)
    assert execution["Status"]["State"] == "SUCCEEDED", execution["Status"]
    expected = example_answers.ANSWERS[name](docs)
    assert len(expected) > 2
    assert rows == expected


def test_status_counts(localstack, lake_run):
    lake, _ = lake_run
    counts = data_lake.status_counts(localstack.client("glue"), localstack.client("athena"), lake)
    assert counts["crawler"] == {"name": lake.crawler, "state": "READY", "last_crawl": "SUCCEEDED"}
    assert counts["tables"] == {"apache_": 4}
    assert sum(counts["queries"].values()) >= 1
