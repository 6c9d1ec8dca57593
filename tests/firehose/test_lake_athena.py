"""The data lake's question, answered twice: Athena queries over the Parquet that Firehose
converted (schema from the Glue table that Athena's DDL created) return the same rows as
the same queries over the stream's JSON source backup, and as an independent computation
in Python over the records put."""
from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime

import pytest

from tests.athena.conftest import rows as result_rows
from tests.athena.conftest import run
from tests.support.firehose_calls import (
    LAMBDA_ROLE,
    lake_destination,
    make_bucket,
    put_lines,
    settled,
    unique,
    wait_for,
)

pytestmark = pytest.mark.localstack

COLUMNS = "host string, datetime timestamp, request string, response int, bytes bigint, agent string"
QUERIES = [
    "SELECT response, count(*) AS hits FROM {t} GROUP BY response ORDER BY response",
    "SELECT request, count(*) AS hits, sum(bytes) AS total FROM {t} GROUP BY request ORDER BY hits DESC, request LIMIT 5",
    ("SELECT date_trunc('hour', datetime) AS hour, count(*) AS hits, approx_distinct(host) AS clients "
    "FROM {t} GROUP BY 1 ORDER BY 1"),
    "SELECT host, max(bytes) AS biggest, min(datetime) AS first_seen FROM {t} GROUP BY host ORDER BY host",
    "SELECT count(*) AS n, count(DISTINCT agent) AS agents FROM {t} WHERE response >= 400",
]


def document(i: int) -> dict:
    moment = datetime(2026, 11, 3, 3 + i % 3, i % 60, i % 59, tzinfo=UTC)
    return {"host": f"10.0.{i % 4}.{i % 11}", "datetime": moment.strftime("%Y-%m-%d %H:%M:%S"),
            "request": f"GET /products/{i % 9} HTTP/1.1", "response": (200, 200, 404, 500, 301)[i % 5],
            "bytes": 500 + (i * 37) % 4000, "agent": ("curl/8", "Mozilla/5.0", "Googlebot")[i % 3],
            "referrer": "-", "cookie": f"PHPSESSID={i}"}


def query(athena, sql: str, lake: dict) -> list[list]:
    execution = run(athena, sql, lake)
    assert execution["Status"]["State"] == "SUCCEEDED", execution["Status"]
    return result_rows(athena, execution["QueryExecutionId"])


def test_athena_answers_the_same_over_parquet_and_over_the_json_backup(lake_localstack):
    athena, glue = lake_localstack.client("athena"), lake_localstack.client("glue")
    bucket = make_bucket(lake_localstack)
    database = unique("lake").replace("-", "_")
    glue.create_database(DatabaseInput={"Name": database})
    lake = {"bucket": bucket, "database": database, "output": f"s3://{bucket}/athena-results/"}
    query(athena, f"CREATE EXTERNAL TABLE clicks_parquet ({COLUMNS}) STORED AS PARQUET "
                  f"LOCATION 's3://{bucket}/parquet/'", lake)
    query(athena, f"CREATE EXTERNAL TABLE clicks_json ({COLUMNS}) "
                  f"ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe' LOCATION 's3://{bucket}/json/'", lake)

    name = unique("fh-lake")
    lake_localstack.client("firehose").create_delivery_stream(
        DeliveryStreamName=name, ExtendedS3DestinationConfiguration=lake_destination(
            bucket, "parquet/", DataFormatConversionConfiguration={
                "SchemaConfiguration": {"DatabaseName": database, "TableName": "clicks_parquet",
                                        "RoleARN": LAMBDA_ROLE},
                "InputFormatConfiguration": {"Deserializer": {"OpenXJsonSerDe": {}}},
                "OutputFormatConfiguration": {"Serializer": {"ParquetSerDe": {"Compression": "SNAPPY"}}}},
            S3BackupMode="Enabled", S3BackupConfiguration={
                "RoleARN": LAMBDA_ROLE, "BucketARN": f"arn:aws:s3:::{bucket}", "Prefix": "json/",
                "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": 1}}))
    docs = [document(i) for i in range(500)]
    put_lines(lake_localstack.client("firehose"), name, [json.dumps(d).encode() + b"\n" for d in docs])
    counts = wait_for(lambda: settled(lake_localstack, name, len(docs)), timeout=60)
    assert counts["delivered"] == 500 and counts["backed_up"] == 500

    for sql in QUERIES:
        over_parquet = query(athena, sql.format(t="clicks_parquet"), lake)
        over_json = query(athena, sql.format(t="clicks_json"), lake)
        assert len(over_parquet) > 1 and over_parquet == over_json, sql

    # and both equal a computation from the records themselves
    expected = sorted(Counter(d["response"] for d in docs).items())
    assert query(athena, QUERIES[0].format(t="clicks_parquet"), lake) == \
        [["response", "hits"]] + [[str(code), str(n)] for code, n in expected]
