"""Helpers for the Athena suites: run a query through boto3 as an attendee would
(start, poll GetQueryExecution, page through GetQueryResults) and a bucket per test."""
from __future__ import annotations

import io
import uuid

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.support.waiting import wait_for

TERMINAL = ("SUCCEEDED", "FAILED", "CANCELLED")


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:8]}"


@pytest.fixture()
def athena(localstack):
    return localstack.client("athena")


@pytest.fixture()
def s3(localstack):
    return localstack.client("s3")


@pytest.fixture()
def lake(localstack, s3):
    """A bucket for data and query results, and a Glue database."""
    bucket = unique("lake-")
    s3.create_bucket(Bucket=bucket)
    database = unique("db_")
    localstack.client("glue").create_database(DatabaseInput={"Name": database})
    return {"bucket": bucket, "database": database, "output": f"s3://{bucket}/athena-results/"}


def run(athena, sql: str, lake: dict, timeout: float = 60) -> dict:
    """Runs one query to its end; returns the QueryExecution."""
    query_id = athena.start_query_execution(
        QueryString=sql, QueryExecutionContext={"Database": lake["database"]},
        ResultConfiguration={"OutputLocation": lake["output"]})["QueryExecutionId"]

    def finished():
        execution = athena.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]
        return execution if execution["Status"]["State"] in TERMINAL else None

    return wait_for(finished, timeout=timeout, interval=0.1, what=f"query {query_id}")


def rows(athena, query_id: str, page_size: int = 1000) -> list[list[str | None]]:
    """All rows of GetQueryResults (header first for SELECT), paging with NextToken."""
    out, token = [], None
    while True:
        kwargs = {"QueryExecutionId": query_id, "MaxResults": page_size}
        if token:
            kwargs["NextToken"] = token
        page = athena.get_query_results(**kwargs)
        out += [[d.get("VarCharValue") for d in r["Data"]] for r in page["ResultSet"]["Rows"]]
        token = page.get("NextToken")
        if not token:
            return out


def manifest(s3, execution: dict) -> list[str]:
    """The S3 URIs listed by the data manifest of a CTAS, INSERT INTO or UNLOAD."""
    bucket, key = execution["Statistics"]["DataManifestLocation"][len("s3://"):].split("/", 1)
    return s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode().splitlines()


def parquet_table(athena, s3, lake: dict, name: str, rows: list[dict], columns: str) -> None:
    """`rows` written by pyarrow under data/<name>/ and declared with Athena DDL
    (`columns`: the DDL's column list)."""
    buf = io.BytesIO()
    pq.write_table(pa.Table.from_pylist(rows), buf)
    s3.put_object(Bucket=lake["bucket"], Key=f"data/{name}/part-0.parquet", Body=buf.getvalue())
    created = run(athena, f"CREATE EXTERNAL TABLE {name} ({columns}) STORED AS PARQUET "
                          f"LOCATION 's3://{lake['bucket']}/data/{name}/'", lake)
    assert created["Status"]["State"] == "SUCCEEDED", created["Status"]


def query(athena, sql: str, lake: dict) -> list[list[str | None]]:
    """Runs a query that must succeed; returns its rows."""
    execution = run(athena, sql, lake)
    assert execution["Status"]["State"] == "SUCCEEDED", execution["Status"]
    return rows(athena, execution["QueryExecutionId"])
