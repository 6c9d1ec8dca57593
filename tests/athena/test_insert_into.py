"""INSERT INTO a Hive Parquet table through boto3: new files in the table's location
(a new partition added to Glue), the data manifest listing exactly them, Trino's
column-type check, and formats the lab cannot write refused with a reason."""
from __future__ import annotations

import pytest

from tests.athena.conftest import manifest, query, run

pytestmark = pytest.mark.localstack


def keys(s3, bucket: str, prefix: str) -> set[str]:
    return {f"s3://{bucket}/{o['Key']}" for o in s3.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", [])}


def test_insert_into_a_partitioned_parquet_table(athena, s3, localstack, lake):
    b = lake["bucket"]
    ctas = run(athena, f"CREATE TABLE visits WITH (external_location = 's3://{b}/visits/', "
                       "partitioned_by = ARRAY['dt']) AS SELECT * FROM (VALUES (1, 'home', '2026-01-01'), "
                       "(2, 'cart', '2026-01-01')) AS v(id, page, dt)", lake)
    assert ctas["Status"]["State"] == "SUCCEEDED", ctas["Status"]
    before = keys(s3, b, "visits/")
    added = [(3, "home", "2026-01-02"), (4, "checkout", "2026-01-02"), (5, "home", "2026-01-01")]
    values = ", ".join(f"({i}, '{p}', '{d}')" for i, p, d in added)
    done = run(athena, f"INSERT INTO visits VALUES {values}", lake)
    assert done["Status"]["State"] == "SUCCEEDED", done["Status"].get("StateChangeReason")
    assert (done["StatementType"], done["SubstatementType"]) == ("DML", "INSERT")
    assert athena.get_query_results(QueryExecutionId=done["QueryExecutionId"])["UpdateCount"] == len(added)
    new_files = keys(s3, b, "visits/") - before
    assert sorted(manifest(s3, done)) == sorted(new_files) and len(new_files) == 2
    parts = localstack.client("glue").get_partitions(DatabaseName=lake["database"], TableName="visits")
    assert sorted(p["Values"][0] for p in parts["Partitions"]) == ["2026-01-01", "2026-01-02"]
    everything = [(1, "home", "2026-01-01"), (2, "cart", "2026-01-01"), *added]
    got = query(athena, "SELECT id, page, dt FROM visits ORDER BY id", lake)[1:]
    assert got == [[str(i), p, d] for i, p, d in sorted(everything)]

    more = run(athena, "INSERT INTO visits (page, id, dt) SELECT page, id + 10, dt FROM visits WHERE page = 'home'",
               lake)
    assert more["Status"]["State"] == "SUCCEEDED", more["Status"]
    homes = sorted(i + 10 for i, p, _ in everything if p == "home")
    assert query(athena, "SELECT id FROM visits WHERE id > 10 ORDER BY id", lake)[1:] == [[str(i)] for i in homes]


def test_insert_failures_are_athena_like(athena, s3, localstack, lake):
    glue = localstack.client("glue")
    b = lake["bucket"]
    query(athena, f"CREATE TABLE p WITH (external_location = 's3://{b}/p/') AS SELECT 1 AS id, 'a' AS name", lake)
    mismatch = run(athena, "INSERT INTO p VALUES ('x', 'y')", lake)
    assert mismatch["Status"]["StateChangeReason"] == (
        "TYPE_MISMATCH: line 1:1: Insert query has mismatched column types: Table: [integer, varchar], "
        "Query: [varchar, varchar]")
    short = run(athena, "INSERT INTO p SELECT 2", lake)      # another column count: Trino's same check
    assert (short["Status"]["State"], short["Status"]["StateChangeReason"]) == ("FAILED", (
        "TYPE_MISMATCH: line 1:1: Insert query has mismatched column types: Table: [integer, varchar], "
        "Query: [integer]"))
    glue.create_table(DatabaseName=lake["database"], TableInput={      # as Glue's console makes an ORC table
        "Name": "o", "TableType": "EXTERNAL_TABLE", "StorageDescriptor": {
            "Columns": [{"Name": "a", "Type": "string"}], "Location": f"s3://{b}/o/",
            "InputFormat": "org.apache.hadoop.hive.ql.io.orc.OrcInputFormat",
            "OutputFormat": "org.apache.hadoop.hive.ql.io.orc.OrcOutputFormat",
            "SerdeInfo": {"SerializationLibrary": "org.apache.hadoop.hive.ql.io.orc.OrcSerde"}}})
    orc = run(athena, "INSERT INTO o VALUES ('x')", lake)
    assert orc["Status"]["StateChangeReason"] == (
        f"NOT_SUPPORTED: the lab's INSERT INTO writes Parquet, delimited text (LazySimpleSerDe) and JSON tables "
        f"('{lake['database']}.o' is stored with org.apache.hadoop.hive.ql.io.orc.OrcSerde)")
    assert keys(s3, b, "o/") == set()
    query(athena, "CREATE EXTERNAL TABLE j (a string) ROW FORMAT SERDE 'org.apache.hadoop.hive.serde2.RegexSerDe' "
                  f"WITH SERDEPROPERTIES ('input.regex' = '(.*)') LOCATION 's3://{b}/j/'", lake)
    refused = run(athena, "INSERT INTO j VALUES ('x')", lake)
    assert refused["Status"]["StateChangeReason"].startswith("NOT_SUPPORTED: the lab's INSERT INTO writes Parquet")
    assert keys(s3, b, "j/") == set()
    missing = run(athena, "INSERT INTO nope VALUES (1)", lake)
    assert missing["Status"]["StateChangeReason"].startswith("TABLE_NOT_FOUND: ")
