"""Helpers for the Athena suites: run a query through boto3 as an attendee would
(start, poll GetQueryExecution, page through GetQueryResults) and a bucket per test.

The Athena engine under test is the fixture `engine`: `duckdb` (the session's LocalStack, its
primary work group) unless a module parametrizes it with ON_BOTH_ENGINES, whose `trino` runs
the module's tests on the session's shared Trino lab (tests/support/trino_lab.py) through
its work group tagged `lab:engine` = trino: `localstack` is then that lab's LocalStack and
`lake["work_group"]` the work group the test's clients name."""
from __future__ import annotations

import io
import uuid

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.support.waiting import wait_for

TERMINAL = ("SUCCEEDED", "FAILED", "CANCELLED")
ENGINES = ("duckdb", "trino")
# a module's pytestmark (module scope: test_examples.py's module fixture uses `localstack`)
ON_BOTH_ENGINES = pytest.mark.parametrize("engine", ENGINES, scope="module")


@pytest.fixture(scope="module")
def engine() -> str:
    return "duckdb"


@pytest.fixture(scope="module")
def localstack(localstack, engine, request):
    """The session's LocalStack, or on engine `trino` the one of the shared Trino lab."""
    if engine == "trino":
        return request.getfixturevalue("trino_lab").localstack
    return localstack


@pytest.fixture()
def work_group(engine, request) -> str | None:
    """The work group the tests' clients name: none (primary) on DuckDB."""
    if engine == "trino":
        from tests.support.trino_lab import WORK_GROUPS

        return WORK_GROUPS["trino"]
    return None


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:8]}"


@pytest.fixture()
def athena(localstack):
    return localstack.client("athena")


@pytest.fixture()
def s3(localstack):
    return localstack.client("s3")


@pytest.fixture()
def lake(localstack, s3, work_group):
    """A bucket for data and query results, a Glue database, and the engine's work group."""
    bucket = unique("lake-")
    s3.create_bucket(Bucket=bucket)
    database = unique("db_")
    localstack.client("glue").create_database(DatabaseInput={"Name": database})
    return {"bucket": bucket, "database": database, "output": f"s3://{bucket}/athena-results/",
            "work_group": work_group}


def run(athena, sql: str, lake: dict, timeout: float = 60) -> dict:
    """Runs one query to its end (in the lake's work group); returns the QueryExecution."""
    group = {"WorkGroup": lake["work_group"]} if lake.get("work_group") else {}
    query_id = athena.start_query_execution(
        QueryString=sql, QueryExecutionContext={"Database": lake["database"]},
        ResultConfiguration={"OutputLocation": lake["output"]}, **group)["QueryExecutionId"]

    def finished():
        execution = athena.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]
        return execution if execution["Status"]["State"] in TERMINAL else None

    return wait_for(finished, timeout=timeout, interval=0.1, what=f"query {query_id}")


def last_execution(athena, lake: dict) -> dict:
    """The latest QueryExecution of the lake's work group."""
    group = {"WorkGroup": lake["work_group"]} if lake.get("work_group") else {}
    query_id = athena.list_query_executions(**group)["QueryExecutionIds"][0]
    return athena.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]


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
