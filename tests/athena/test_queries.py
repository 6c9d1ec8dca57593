"""Athena SQL over JSON Lines written like Firehose writes them (extension-less and
GZIP objects, `YYYY/MM/dd/HH/` keys), through boto3: DDL with the OpenX JSON SerDe,
Trino functions, results, the result files, and failures."""
from __future__ import annotations

import csv
import gzip
import io
import json
from datetime import UTC, datetime

import pytest

from tests.athena.conftest import query, rows, run
from tests.support.waiting import wait_for

pytestmark = pytest.mark.localstack


def java_double(value: float) -> str:
    """Java's Double.toString for a whole number of seconds >= 1e7: 1.7921412E9."""
    digits = str(int(value)).rstrip("0")
    return f"{digits[0]}.{digits[1:] or '0'}E{len(str(int(value))) - 1}"

DOCS = [
    {"host": "10.0.0.1", "@timestamp": "2026-11-03T04:29:26+01:00", "path": "/products/7", "response": 200,
     "bytes": 512, "user-agent": "curl/8", "username": "alice", "is_bot": False},
    {"Host": "10.0.0.2", "@timestamp": "2026-11-03T05:01:00+01:00", "path": "/cart", "response": 404,
     "bytes": None, "user-agent": "Mozilla/5.0", "username": "bob", "is_bot": False},
    {"host": "10.0.0.1", "@timestamp": "2026-11-03T05:30:00+01:00", "path": "/products/7", "response": 500,
     "bytes": 10, "user-agent": "Googlebot", "username": None, "is_bot": True},
]

DDL = """CREATE EXTERNAL TABLE apache_logs (
  host string, ts string, path string, response int, bytes bigint, useragent string,
  username string, is_bot boolean)
PARTITIONED BY (year string, month string, day string, hour string)
ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'
WITH SERDEPROPERTIES ('mapping.ts'='@timestamp', 'mapping.useragent'='user-agent',
                      'ignore.malformed.json'='true')
LOCATION 's3://{bucket}/apache_/'"""


def put_firehose_objects(s3, bucket: str) -> None:
    lines = [json.dumps(d) for d in DOCS]
    s3.put_object(Bucket=bucket, Key="apache_/2026/11/03/03/apache-1-2026-11-03-03-29-26-abc",
                  Body=("\n".join(lines[:1]) + "\nnot json\n").encode())
    s3.put_object(Bucket=bucket, Key="apache_/2026/11/03/04/apache-1-2026-11-03-04-01-00-def.gz",
                  Body=gzip.compress(("\n".join(lines[1:]) + "\n").encode()))


def add_partitions(athena, lake) -> None:
    b = lake["bucket"]
    run_ok = query(athena, f"""ALTER TABLE apache_logs ADD
        PARTITION (year='2026', month='11', day='03', hour='03') LOCATION 's3://{b}/apache_/2026/11/03/03/'
        PARTITION (year='2026', month='11', day='03', hour='04') LOCATION 's3://{b}/apache_/2026/11/03/04/'""", lake)
    assert run_ok == []


def test_firehose_json_with_openx_serde(athena, s3, lake):
    put_firehose_objects(s3, lake["bucket"])
    assert query(athena, DDL.format(bucket=lake["bucket"]), lake) == []
    add_partitions(athena, lake)

    got = query(athena, "SELECT host, ts, useragent, response, bytes, is_bot, hour FROM apache_logs "
                        "WHERE host IS NOT NULL ORDER BY ts", lake)
    assert got[0] == ["host", "ts", "useragent", "response", "bytes", "is_bot", "hour"]
    assert got[1:] == [
        ["10.0.0.1", "2026-11-03T04:29:26+01:00", "curl/8", "200", "512", "false", "03"],
        ["10.0.0.2", "2026-11-03T05:01:00+01:00", "Mozilla/5.0", "404", None, "false", "04"],   # "Host" matched
        ["10.0.0.1", "2026-11-03T05:30:00+01:00", "Googlebot", "500", "10", "true", "04"],
    ]
    # the malformed line is a row of NULLs (ignore.malformed.json)
    assert query(athena, "SELECT count(*), count(host) FROM apache_logs", lake)[1] == ["4", "3"]

    # hours as epoch seconds (a double, printed as Java does): the same on Athena whatever zone it shows
    hourly = query(athena, """SELECT to_unixtime(date_trunc('hour', from_iso8601_timestamp(ts))) AS hour,
                                     count(*) AS hits, approx_distinct(host) AS clients
                              FROM apache_logs WHERE ts IS NOT NULL GROUP BY 1 ORDER BY 1""", lake)
    h03 = datetime(2026, 11, 3, 3, tzinfo=UTC).timestamp()
    assert hourly == [["hour", "hits", "clients"], [java_double(h03), "1", "1"],
                      [java_double(h03 + 3600), "2", "2"]]
    assert java_double(h03) == "1.7936748E9"
    extracted = query(athena, "SELECT regexp_extract(path, '/products/(\\d+)', 1) AS product, count(*) AS n "
                              "FROM apache_logs WHERE path LIKE '/products/%' GROUP BY 1", lake)
    assert extracted == [["product", "n"], ["7", "2"]]


def test_each_partition_reads_only_its_own_folder(athena, s3, lake):
    """Partitions under the table's root are listed together (one listing), and each still
    reads only its own folder: not a neighbour whose name it prefixes (hour=1 vs hour=10),
    not hidden files or folders, not a folder no partition names; a partition outside the
    root is read from its own location."""
    b = lake["bucket"]
    files = {"t/hour=1/a": {"n": 1}, "t/hour=10/a": {"n": 10}, "t/hour=1/_SUCCESS": {"n": 100},
             "t/hour=1/.hidden": {"n": 1000}, "t/hour=1/_tmp/b": {"n": 10000},
             "t/unregistered/a": {"n": 100000}, "elsewhere/hour=2/a": {"n": 1000000}}
    for key, doc in files.items():
        s3.put_object(Bucket=b, Key=key, Body=json.dumps(doc).encode())
    assert query(athena, f"""CREATE EXTERNAL TABLE parts (n bigint) PARTITIONED BY (hour string)
        ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe' LOCATION 's3://{b}/t/'""", lake) == []
    assert query(athena, f"""ALTER TABLE parts ADD
        PARTITION (hour='1') LOCATION 's3://{b}/t/hour=1/'
        PARTITION (hour='10') LOCATION 's3://{b}/t/hour=10'
        PARTITION (hour='2') LOCATION 's3://{b}/elsewhere/hour=2/'""", lake) == []
    got = query(athena, "SELECT hour, sum(n) AS total FROM parts GROUP BY hour ORDER BY hour", lake)
    assert got == [["hour", "total"], ["1", "1"], ["10", "10"], ["2", "1000000"]]
    # without the partition column the files are read in one scan: the same rows
    assert query(athena, "SELECT sum(n) AS total, count(*) AS n FROM parts", lake)[1] == ["1000011", "3"]
    assert query(athena, "SELECT count(*) AS n FROM parts WHERE hour = '10'", lake)[1] == ["1"]
    # a view that reads the partition column, beside the table read without it, in one statement
    assert query(athena, "CREATE VIEW hour_ten AS SELECT n FROM parts WHERE hour = '10'", lake) == []
    for sql in ("SELECT (SELECT sum(n) FROM hour_ten) AS ten, (SELECT sum(n) FROM parts) AS total",
                "SELECT (SELECT sum(n) FROM parts) AS total, (SELECT sum(n) FROM hour_ten) AS ten"):
        got = dict(zip(*query(athena, sql, lake)))
        assert (got["ten"], got["total"]) == ("10", "1000011"), sql


def test_results_metadata_paging_and_files(athena, s3, lake):
    put_firehose_objects(s3, lake["bucket"])
    query(athena, DDL.format(bucket=lake["bucket"]), lake)
    add_partitions(athena, lake)
    execution = run(athena, "SELECT host, response FROM apache_logs WHERE host IS NOT NULL ORDER BY response",
                    lake)
    qid = execution["QueryExecutionId"]
    assert execution["StatementType"] == "DML"
    assert execution["Statistics"]["DataScannedInBytes"] > 0
    assert execution["ResultConfiguration"]["OutputLocation"] == f"{lake['output']}{qid}.csv"
    page = athena.get_query_results(QueryExecutionId=qid, MaxResults=2)
    info = page["ResultSet"]["ResultSetMetadata"]["ColumnInfo"]
    assert [(c["Name"], c["Type"]) for c in info] == [("host", "varchar"), ("response", "integer")]
    assert page["NextToken"] and len(page["ResultSet"]["Rows"]) == 2
    assert rows(athena, qid, page_size=1) == [["host", "response"], ["10.0.0.1", "200"], ["10.0.0.2", "404"],
                                              ["10.0.0.1", "500"]]
    body = s3.get_object(Bucket=lake["bucket"], Key=f"athena-results/{qid}.csv")["Body"].read().decode()
    assert body.splitlines()[0] == '"host","response"'
    assert list(csv.reader(io.StringIO(body)))[1:] == [["10.0.0.1", "200"], ["10.0.0.2", "404"], ["10.0.0.1", "500"]]
    s3.head_object(Bucket=lake["bucket"], Key=f"athena-results/{qid}.csv.metadata")
    assert qid in athena.list_query_executions()["QueryExecutionIds"]


def test_show_describe_msck_and_ctas(athena, s3, lake):
    b = lake["bucket"]
    s3.put_object(Bucket=b, Key="hive/dt=2026-01-01/part-0.json", Body=b'{"a": 1}\n{"a": 2}\n')
    s3.put_object(Bucket=b, Key="hive/dt=2026-01-02/part-0.json", Body=b'{"a": 5}\n')
    query(athena, f"CREATE EXTERNAL TABLE h (a int) PARTITIONED BY (dt string) "
                  f"ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe' LOCATION 's3://{b}/hive/'", lake)
    repaired = query(athena, "MSCK REPAIR TABLE h", lake)
    assert "Repair: Added partition to metastore h:dt=2026-01-01" in [r[0] for r in repaired]
    assert query(athena, "SHOW PARTITIONS h", lake) == [["dt=2026-01-01"], ["dt=2026-01-02"]]
    assert ["h"] in query(athena, "SHOW TABLES", lake)
    assert query(athena, "DESCRIBE h", lake)[0][0].split("\t")[0].strip() == "a"
    assert query(athena, "SELECT dt, sum(a) s FROM h GROUP BY dt ORDER BY dt", lake)[1:] == [
        ["2026-01-01", "3"], ["2026-01-02", "5"]]

    ctas = run(athena, f"CREATE TABLE h_parquet WITH (format='PARQUET', external_location='s3://{b}/pq/') "
                       "AS SELECT dt, a * 10 AS a10 FROM h", lake)
    assert ctas["Status"]["State"] == "SUCCEEDED", ctas["Status"]
    assert athena.get_query_results(QueryExecutionId=ctas["QueryExecutionId"])["UpdateCount"] == 3
    assert query(athena, "SELECT sum(a10) FROM h_parquet", lake)[1] == ["80"]
    assert query(athena, "DROP TABLE h_parquet", lake) == []


def failure(athena, lake, sql: str) -> str:
    execution = run(athena, sql, lake)
    assert execution["Status"]["State"] == "FAILED", execution["Status"]
    return execution["Status"]["StateChangeReason"]


def test_failures_are_athena_like(athena, s3, lake):
    put_firehose_objects(s3, lake["bucket"])
    query(athena, DDL.format(bucket=lake["bucket"]), lake)
    assert failure(athena, lake, "SELECT host FRM apache_logs").startswith("line 1:")
    assert failure(athena, lake, "SELECT * FROM nope") == (
        f"TABLE_NOT_FOUND: line 1:15: Table 'awsdatacatalog.{lake['database']}.nope' does not exist")
    assert failure(athena, lake, "SELECT nosuch FROM apache_logs").startswith(
        "COLUMN_NOT_FOUND: line 1:8: Column 'nosuch' cannot be resolved")
    assert failure(athena, lake, "SELECT * FROM nodb.t").startswith("SCHEMA_NOT_FOUND")
    # a table over an empty prefix has no rows, as on Athena; one over a missing bucket fails
    query(athena, f"CREATE EXTERNAL TABLE empty_t (a int) ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe' "
                  f"LOCATION 's3://{lake['bucket']}/nothing-here/'", lake)
    assert query(athena, "SELECT count(*) FROM empty_t", lake) == [["_col0"], ["0"]]
    query(athena, "CREATE EXTERNAL TABLE gone (a int) ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe' "
                  "LOCATION 's3://no-such-bucket-lab/x/'", lake)
    assert "bucket" in failure(athena, lake, "SELECT * FROM gone").lower()
    reason = failure(athena, lake, DDL.format(bucket=lake["bucket"]))
    assert "already exists" in reason


def test_crawl_of_an_empty_prefix_then_query_fails_like_athena(localstack, athena, lake):
    """An empty prefix: the crawler succeeds and creates no table (as on AWS), so the
    query that expected one ends FAILED with TABLE_NOT_FOUND."""
    glue = localstack.client("glue")
    name = f"empty-{lake['database']}"
    glue.create_crawler(Name=name, Role="arn:aws:iam::000000000000:role/glue_crawler_role",
                        DatabaseName=lake["database"],
                        Targets={"S3Targets": [{"Path": f"s3://{lake['bucket']}/apache_"}]})
    glue.start_crawler(Name=name)
    wait_for(lambda: glue.get_crawler(Name=name)["Crawler"]["State"] == "READY", timeout=30, interval=0.1)
    assert glue.get_crawler(Name=name)["Crawler"]["LastCrawl"]["Status"] == "SUCCEEDED"
    assert glue.get_tables(DatabaseName=lake["database"])["TableList"] == []
    assert failure(athena, lake, "SELECT count(*) FROM apache_") == (
        f"TABLE_NOT_FOUND: line 1:22: Table 'awsdatacatalog.{lake['database']}.apache_' does not exist")


def test_statements_the_lab_cannot_run_fail_with_a_reason(athena, lake):
    assert failure(athena, lake, "CREATE INDEX i ON t (a)") == "NOT_SUPPORTED: CREATE INDEX is not supported by the lab"
    assert failure(athena, lake, "DELETE FROM t WHERE a = 1").startswith("NOT_SUPPORTED: ")
    assert failure(athena, lake, "INSERT OVERWRITE TABLE t SELECT 1").startswith("NOT_SUPPORTED: ")
    assert failure(athena, lake, "SELECT 1; SELECT 2").startswith("line 1:1: Only one sql statement is allowed")


def test_delimited_lines_with_missing_or_extra_fields_read_as_hive_does(athena, s3, lake):
    """LazySimpleSerDe: a line with fewer fields gives NULLs for the rest, extra fields are
    ignored, `\\N` is NULL, a field that is not a number is NULL in a numeric column."""
    b = lake["bucket"]
    s3.put_object(Bucket=b, Key="tsv/part-0", Body=b"a\t1\tx\nb\t2\nc\nd\t\\N\ty\tEXTRA\ne\tnotanumber\tz\n")
    query(athena, "CREATE EXTERNAL TABLE t (k string, n int, s string) ROW FORMAT DELIMITED "
                  f"FIELDS TERMINATED BY '\\t' LOCATION 's3://{b}/tsv/'", lake)
    assert query(athena, "SELECT k, n, s FROM t ORDER BY k", lake)[1:] == [
        ["a", "1", "x"], ["b", "2", None], ["c", None, None], ["d", None, "y"], ["e", None, "z"]]
    s3.put_object(Bucket=b, Key="ctrla/part-0", Body=b"a\x011\nb\n")   # Hive's default delimiter
    query(athena, f"CREATE EXTERNAL TABLE u (k string, n int) LOCATION 's3://{b}/ctrla/'", lake)
    assert query(athena, "SELECT k, n FROM u ORDER BY k", lake)[1:] == [["a", "1"], ["b", None]]
