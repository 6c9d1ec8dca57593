"""The lab's Athena on its DuckDB engine judged by Trino 476 (Athena engine version 3 is
Trino): every statement of corpus.py and the example queries runs through the Athena API on a
DuckDB work group and on a Trino work group over the same Glue catalog and S3 objects; the
answers (column names and types, rows; order-insensitive unless the query orders them) or the
error names must be equal, or the difference is listed in differences.py with its reason (and
such a test fails once the difference is gone, so the list stays true)."""
from __future__ import annotations

import gzip
import io
import json
import re
import uuid

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from labctl import data_lake

from tests.athena_differential import corpus, differences
from tests.athena_differential.conftest import record_outcome
from tests.glue.lake_data import write_backup
from tests.support.waiting import wait_for

pytestmark = pytest.mark.localstack
ROLE = "arn:aws:iam::000000000000:role/glue_crawler_role"
TERMINAL = ("SUCCEEDED", "FAILED", "CANCELLED")
DOCS = [
    {"host": "10.0.0.1", "@timestamp": "2026-11-03T04:29:26+01:00", "path": "/products/7", "response": 200,
     "bytes": 512, "user-agent": "curl/8", "username": "alice", "is_bot": False},
    {"Host": "10.0.0.2", "@timestamp": "2026-11-03T05:01:00+01:00", "path": "/cart", "response": 404,
     "bytes": None, "user-agent": "Mozilla/5.0", "username": "bob", "is_bot": False},
    {"host": "10.0.0.1", "@timestamp": "2026-11-03T05:30:00+01:00", "path": "/products/7", "response": 500,
     "bytes": 10, "user-agent": "Googlebot", "username": None, "is_bot": True},
    {"host": "10.0.0.3", "@timestamp": "2026-11-03T05:45:10+01:00", "path": "/checkout", "response": 302,
     "bytes": 2048, "user-agent": "Mozilla/5.0 (X11)", "username": "carol", "is_bot": False},
]


def run(lab, sql: str, work_group: str, database: str | None = None) -> dict:
    athena = lab.client("athena")
    query_id = athena.start_query_execution(QueryString=sql, WorkGroup=work_group,
                                            QueryExecutionContext={"Database": database or lab.database})[
        "QueryExecutionId"]

    def finished():
        execution = athena.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]
        return execution if execution["Status"]["State"] in TERMINAL else None

    return wait_for(finished, timeout=180, interval=0.1, what=f"query {query_id} on {work_group}")


def answer(lab, sql: str, work_group: str, database: str | None = None) -> dict:
    """What a client sees: the state; the error name (and message) or the columns and rows."""
    execution = run(lab, sql, work_group, database)
    status = execution["Status"]
    if status["State"] != "SUCCEEDED":
        reason = status.get("StateChangeReason", "")
        match = re.match(r"^([A-Z_]+):", reason)
        return {"state": status["State"], "error": match.group(1) if match else "SYNTAX_ERROR", "reason": reason}
    athena = lab.client("athena")
    out, token, meta = [], None, None
    while True:
        kwargs = {"QueryExecutionId": execution["QueryExecutionId"], "MaxResults": 1000}
        if token:
            kwargs["NextToken"] = token
        page = athena.get_query_results(**kwargs)
        meta = meta or page["ResultSet"]["ResultSetMetadata"]["ColumnInfo"]
        out += [[d.get("VarCharValue") for d in r["Data"]] for r in page["ResultSet"]["Rows"]]
        token = page.get("NextToken")
        if not token:
            break
    return {"state": "SUCCEEDED", "types": [c["Type"] for c in meta], "rows": out}


def comparable(result: dict, ordered: bool) -> dict:
    if result["state"] != "SUCCEEDED":
        return {"state": result["state"], "error": result["error"]}
    header, rows = result["rows"][:1], result["rows"][1:]
    return {"state": "SUCCEEDED", "types": result["types"], "header": header,
            "rows": rows if ordered else sorted(rows, key=lambda r: [(v is None, v or "") for v in r])}


def is_ordered(sql: str) -> bool:
    """An ORDER BY at the end of the outermost query (not inside a window or a subquery)."""
    tail = sql.rsplit(")", 1)[-1]
    return bool(re.search(r"\border\s+by\b", tail, re.IGNORECASE))


@pytest.fixture(scope="module")
def tables(differential_lab):
    """The backup crawled into `apache_`, and `apache_logs` and `typed` created by Athena DDL."""
    lab = differential_lab
    s3, glue = lab.client("s3"), lab.client("glue")
    lake = data_lake.DataLake(database=lab.database, crawler=f"crawler_{uuid.uuid4().hex[:8]}",
                              bucket=lab.bucket, output=lab.output)
    write_backup(s3, lab.bucket, count=2000, prefix=lake.prefix)
    data_lake.ensure_data_lake(glue, ROLE, lake)
    assert data_lake.crawl(glue, lake, timeout=120)["LastCrawl"]["Status"] == "SUCCEEDED"

    lines = [json.dumps(d) for d in DOCS]
    s3.put_object(Bucket=lab.bucket, Key="apache_logs/2026/11/03/03/apache-1-2026-11-03-03-29-26-abc",
                  Body=("\n".join(lines[:1]) + "\nnot json\n").encode())
    s3.put_object(Bucket=lab.bucket, Key="apache_logs/2026/11/03/04/apache-1-2026-11-03-04-01-00-def.gz",
                  Body=gzip.compress(("\n".join(lines[1:]) + "\n").encode()))
    import datetime as dt
    import decimal

    typed = pa.table({
        "id": pa.array([1, 2, 3, 4], pa.int32()), "big": pa.array([10**12, -5, 0, None], pa.int64()),
        "ratio": [0.25, 1e-5, 12345678.5, 3.0], "name": ["a", "b", None, "d,e \"q\""],
        "flag": [True, False, None, True],
        "at": pa.array([dt.datetime(2026, 11, 3, 10, 0, 0, 123000), dt.datetime(2026, 1, 1), None,
                        dt.datetime(1999, 12, 31, 23, 59, 59)], pa.timestamp("ms")),
        "day": pa.array([dt.date(2026, 11, 3), dt.date(2026, 2, 28), dt.date(2024, 2, 29), None], pa.date32()),
        "price": pa.array([decimal.Decimal("1.50"), decimal.Decimal("-2.25"), None, decimal.Decimal("1000.00")],
                          pa.decimal128(10, 2)),
        "tags": [["a", "b"], [], None, ["c"]],
        "attrs": pa.array([[("k", 1)], [("k", 2), ("z", 3)], None, []], pa.map_(pa.string(), pa.int32())),
        "point": pa.array([{"x": 1, "y": "p"}, {"x": None, "y": "q"}, None, {"x": 4, "y": None}],
                          pa.struct([("x", pa.int32()), ("y", pa.string())])),
    })
    buf = io.BytesIO()
    pq.write_table(typed, buf)
    s3.put_object(Bucket=lab.bucket, Key="typed/part-0.parquet", Body=buf.getvalue())
    for ddl in (corpus.APACHE_LOGS_DDL, corpus.APACHE_LOGS_PARTITIONS, corpus.TYPED_DDL):
        created = run(lab, ddl.format(bucket=lab.bucket), "on_duckdb")
        assert created["Status"]["State"] == "SUCCEEDED", created["Status"]
    return lab


STATEMENTS = {**{f"example_{n}": q for n, q in data_lake.example_queries().items()}, **corpus.QUERIES}


@pytest.mark.parametrize("name", list(STATEMENTS))
def test_both_engines_answer_alike(tables, name):
    sql = STATEMENTS[name]
    ordered = is_ordered(sql)
    on_duckdb = comparable(answer(tables, sql, "on_duckdb"), ordered)
    on_trino = comparable(answer(tables, sql, "on_trino"), ordered)
    assert on_trino["state"] == "SUCCEEDED" or on_trino.get("error") != "GENERIC_INTERNAL_ERROR", on_trino
    check(name, on_duckdb, on_trino)


def check(name: str, on_duckdb: dict, on_trino: dict) -> None:
    known = differences.KNOWN.get(name)
    if known is None:
        record_outcome(name, "equal" if on_duckdb == on_trino else "DIFFERENT")
        assert on_duckdb == on_trino, f"DuckDB engine:\n{on_duckdb}\nTrino:\n{on_trino}"
    else:
        record_outcome(name, known)
        assert on_duckdb != on_trino, f"{name} is listed in differences.py but both engines now agree: " \
                                      "remove it from the list"


WRITES = [
    ("ctas", ("CREATE TABLE {t}_ctas WITH (format = 'PARQUET', partitioned_by = ARRAY['status']) AS SELECT host, "
              "path, bytes, cast(response AS varchar) AS status FROM apache_logs WHERE host IS NOT NULL")),
    ("ctas_json", "CREATE TABLE {t}_json WITH (format = 'JSON') AS SELECT id, name, price FROM typed"),
    ("insert", "INSERT INTO {t}_ctas SELECT 'x', '/inserted', 1, '999'"),
    ("view", "CREATE VIEW {t}_view AS SELECT status, count(*) AS n, sum(bytes) AS b FROM {t}_ctas GROUP BY status"),
]
READS = [
    ("ctas_rows", "SELECT host, path, bytes, status FROM {t}_ctas"),
    ("ctas_partition", "SELECT count(*) FROM {t}_ctas WHERE status = '200'"),
    ("ctas_json_rows", "SELECT * FROM {t}_json"),
    ("view_rows", "SELECT * FROM {t}_view"),
]


@pytest.fixture(scope="module")
def written(tables):
    """CTAS, INSERT INTO and CREATE VIEW run on each engine (tables d_* and t_*)."""
    out = {}
    for prefix, group in (("d", "on_duckdb"), ("t", "on_trino")):
        for name, sql in WRITES:
            execution = run(tables, sql.format(t=prefix), group)
            out[(name, prefix)] = execution
    return out


@pytest.mark.parametrize("name", [n for n, _ in WRITES])
def test_writes_succeed_on_both_engines(tables, written, name):
    """Each engine's write succeeds and reports its data files alike (a data manifest for CTAS and INSERT)."""
    on_duckdb, on_trino = written[(name, "d")], written[(name, "t")]
    outcome = {e: (x["Status"]["State"], x["Status"].get("StateChangeReason"), x.get("SubstatementType"))
               for e, x in (("duckdb", on_duckdb), ("trino", on_trino))}
    assert outcome["duckdb"][0] == "SUCCEEDED" and outcome["trino"][0] == "SUCCEEDED", outcome
    assert outcome["duckdb"][2] == outcome["trino"][2]
    manifests = [bool(x["Statistics"].get("DataManifestLocation")) for x in (on_duckdb, on_trino)]
    check(f"write_{name}", {"manifest": manifests[0]}, {"manifest": manifests[1]})


@pytest.mark.parametrize("reader", ["on_duckdb", "on_trino"])
@pytest.mark.parametrize("name", [n for n, _ in READS])
def test_what_each_engine_wrote_reads_alike(tables, written, name, reader):
    """What the DuckDB engine wrote and what Trino wrote read the same, through either engine."""
    sql = dict(READS)[name]
    ours = comparable(answer(tables, sql.format(t="d"), reader), False)
    theirs = comparable(answer(tables, sql.format(t="t"), reader), False)
    check(f"read_{name}_{reader}", ours, theirs)


CLIENT_QUERY = "SELECT path, count(*) AS hits, max(bytes) AS biggest FROM apache_logs GROUP BY path"


def _wrangler(lab, work_group: str, ctas_approach: bool) -> list[dict]:
    import awswrangler as wr
    import boto3

    saved = (wr.config.athena_endpoint_url, wr.config.s3_endpoint_url, wr.config.glue_endpoint_url)
    wr.config.athena_endpoint_url = wr.config.s3_endpoint_url = wr.config.glue_endpoint_url = lab.localstack.url
    try:
        session = boto3.Session(region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test")
        frame = wr.athena.read_sql_query(CLIENT_QUERY, database=lab.database, workgroup=work_group,
                                         ctas_approach=ctas_approach, boto3_session=session, s3_output=lab.output)
    finally:
        wr.config.athena_endpoint_url, wr.config.s3_endpoint_url, wr.config.glue_endpoint_url = saved
    return sorted(frame.astype(object).where(frame.notna(), None).to_dict("records"), key=lambda r: str(r["path"]))


def _pyathena(lab, work_group: str) -> tuple[list, list]:
    from pyathena import connect

    conn = connect(endpoint_url=lab.localstack.url, region_name="us-east-1", aws_access_key_id="test",
                   aws_secret_access_key="test", work_group=work_group, schema_name=lab.database,
                   s3_staging_dir=lab.output)
    cursor = conn.cursor()
    cursor.execute(CLIENT_QUERY)
    return [d[:2] for d in cursor.description], sorted(cursor.fetchall(), key=str)


@pytest.mark.parametrize("client", ["awswrangler", "awswrangler_ctas", "pyathena"])
def test_clients_read_alike_from_both_engines(tables, client):
    """awswrangler (result CSV, and its CTAS approach: Parquet through the data manifest) and
    PyAthena's cursor read the same answer from a DuckDB and a Trino work group."""
    if client == "pyathena":
        ours, theirs = _pyathena(tables, "on_duckdb"), _pyathena(tables, "on_trino")
    else:
        ctas = client.endswith("_ctas")
        ours, theirs = _wrangler(tables, "on_duckdb", ctas), _wrangler(tables, "on_trino", ctas)
    assert theirs and theirs[1 if client == "pyathena" else 0]
    check(f"client_{client}", {"answer": ours}, {"answer": theirs})


def test_stop_query_execution_cancels_the_trino_query(differential_lab):
    """StopQueryExecution on a Trino work group ends the execution CANCELLED and Trino's query too."""
    import requests

    lab = differential_lab
    athena = lab.client("athena")
    # Trino's sequence() stops at 10,000 entries (a longer one fails at once): three of them
    # make 10^12 rows, a query that runs until it is cancelled
    sql = ("SELECT count(*) FROM UNNEST(sequence(1, 10000)) a(x) CROSS JOIN UNNEST(sequence(1, 10000)) b(y) "
           "CROSS JOIN UNNEST(sequence(1, 10000)) c(z) WHERE x + y + z > 0")
    query_id = athena.start_query_execution(QueryString=sql, WorkGroup="on_trino",
                                            QueryExecutionContext={"Database": lab.database})["QueryExecutionId"]

    def trino_running() -> dict | None:
        queries = requests.get(f"{lab.trino_url}/v1/query", headers={"X-Trino-User": "lab"}, timeout=10).json()
        return next((q for q in queries if "c(z) WHERE x + y + z > 0" in q.get("query", "")
                     and q["state"] in ("QUEUED", "PLANNING", "STARTING", "RUNNING")), None)

    running = wait_for(trino_running, timeout=120, interval=0.5, what="the query running on Trino")
    athena.stop_query_execution(QueryExecutionId=query_id)
    assert athena.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]["Status"]["State"] == "CANCELLED"

    def trino_ended() -> str | None:
        state = requests.get(f"{lab.trino_url}/v1/query/{running['queryId']}", headers={"X-Trino-User": "lab"},
                             timeout=10).json()["state"]
        return state if state in ("FAILED", "FINISHED") else None

    assert wait_for(trino_ended, timeout=60, interval=0.5, what="Trino's query to end") == "FAILED"
