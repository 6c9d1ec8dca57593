"""INSERT INTO delimited-text (LazySimpleSerDe) and JSON tables through boto3: the new files
in the table's location are read by the test itself (gzip, str.split, json) and compared
with the rows inserted; the table reads back through Athena with the rows that were there
before; partitions of a text table are added to Glue."""
from __future__ import annotations

import gzip
import json

import pytest

from tests.athena.conftest import query, run

pytestmark = pytest.mark.localstack


def new_objects(s3, bucket: str, prefix: str, before: set[str]) -> dict[str, bytes]:
    listed = s3.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", [])
    return {o["Key"]: s3.get_object(Bucket=bucket, Key=o["Key"])["Body"].read()
            for o in listed if o["Key"] not in before}


def test_insert_into_a_delimited_text_table(athena, s3, localstack, lake):
    b = lake["bucket"]
    s3.put_object(Bucket=b, Key="csv/dt=2026-01-01/old.csv", Body=b"1,/,12.5\n")
    query(athena, "CREATE EXTERNAL TABLE pages (id int, page string, ms double) PARTITIONED BY (dt string) "
                  f"ROW FORMAT DELIMITED FIELDS TERMINATED BY ',' LOCATION 's3://{b}/csv/'", lake)
    query(athena, "ALTER TABLE pages ADD PARTITION (dt = '2026-01-01')", lake)
    rows = [(2, "/cart", 40.0, "2026-01-01"), (3, "/checkout", None, "2026-01-02")]
    done = run(athena, "INSERT INTO pages VALUES (2, '/cart', 40.0, '2026-01-01'), "
                       "(3, '/checkout', NULL, '2026-01-02')", lake)
    assert done["Status"]["State"] == "SUCCEEDED", done["Status"]
    files = new_objects(s3, b, "csv/", {"csv/dt=2026-01-01/old.csv"})
    assert len(files) == 2 and all(k.endswith(".gz") for k in files)     # GZIP: Athena's default for text
    written = []
    for key, body in files.items():
        dt = key.split("/")[1].removeprefix("dt=")
        for line in gzip.decompress(body).decode().splitlines():
            i, page, ms = line.split(",")
            written.append((int(i), page, None if ms == "\\N" else float(ms), dt))
    assert sorted(written) == sorted(rows)
    parts = localstack.client("glue").get_partitions(DatabaseName=lake["database"], TableName="pages")
    assert sorted(p["Values"][0] for p in parts["Partitions"]) == ["2026-01-01", "2026-01-02"]
    got = query(athena, "SELECT id, page, ms, dt FROM pages ORDER BY id", lake)[1:]
    assert got == [["1", "/", "12.5", "2026-01-01"], ["2", "/cart", "40.0", "2026-01-01"],
                   ["3", "/checkout", None, "2026-01-02"]]


def test_insert_into_a_json_table(athena, s3, lake):
    b = lake["bucket"]
    s3.put_object(Bucket=b, Key="json/old.json", Body=b'{"id": 1, "page": "/", "tags": "a"}\n')
    query(athena, "CREATE EXTERNAL TABLE events (id bigint, page string, tags string) "
                  "ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe' "
                  f"LOCATION 's3://{b}/json/' TBLPROPERTIES ('write.compression' = 'NONE')", lake)
    done = run(athena, "INSERT INTO events (page, id) SELECT page || 'x', id + 100 FROM events", lake)
    assert done["Status"]["State"] == "SUCCEEDED", done["Status"]
    files = new_objects(s3, b, "json/", {"json/old.json"})
    assert len(files) == 1 and not next(iter(files)).endswith(".gz")
    objects = [json.loads(line) for body in files.values() for line in body.decode().splitlines()]
    assert objects == [{"id": 101, "page": "/x", "tags": None}]
    got = query(athena, "SELECT id, page, tags FROM events ORDER BY id", lake)[1:]
    assert got == [["1", "/", "a"], ["101", "/x", None]]
