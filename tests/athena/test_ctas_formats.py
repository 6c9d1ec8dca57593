"""CTAS with `format` TEXTFILE and JSON (and `field_delimiter`, `write_compression`) through
boto3, as AWS documents them: the files the data manifest lists are read by the test
(gzip, str.split, json, pyarrow) and compared with the rows selected; the Glue table gets
the format's SerDe and reads back; Parquet's default codec is GZIP, as AWS says for Hive
tables; ORC and AVRO tables are refused with a reason."""
from __future__ import annotations

import gzip
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.athena.conftest import manifest, query, run

pytestmark = pytest.mark.localstack

ROWS = [(1, "/", 12.5, "2026-01-01"), (2, "/cart", None, "2026-01-01"), (3, "/checkout", 120.0, "2026-01-02")]
SOURCE = ("SELECT * FROM (VALUES " + ", ".join(
    f"({i}, '{p}', {'CAST(NULL AS double)' if m is None else m}, '{d}')" for i, p, m, d in ROWS)
    + ") AS v(id, page, ms, dt)")


def ctas(athena, s3, lake: dict, name: str, props: str) -> tuple[dict, dict[str, bytes]]:
    location = f"s3://{lake['bucket']}/ctas/{name}/"
    execution = run(athena, f"CREATE TABLE {name} WITH (external_location = '{location}', {props}) AS {SOURCE}",
                    lake)
    assert execution["Status"]["State"] == "SUCCEEDED", execution["Status"]
    listed = manifest(s3, execution)
    stored = {o["Key"] for o in s3.list_objects_v2(Bucket=lake["bucket"], Prefix=f"ctas/{name}/")["Contents"]}
    assert {uri.split("/", 3)[3] for uri in listed} == stored
    return execution, {k: s3.get_object(Bucket=lake["bucket"], Key=k)["Body"].read() for k in stored}


def test_ctas_textfile_partitioned(athena, s3, localstack, lake):
    _, files = ctas(athena, s3, lake, "pages_txt", "format = 'TEXTFILE', field_delimiter = ',', "
                                                   "partitioned_by = ARRAY['dt']")
    written = []
    for key, body in files.items():
        assert key.endswith(".gz")
        dt = key.split("/")[2].removeprefix("dt=")
        for line in gzip.decompress(body).decode().splitlines():
            i, page, ms = line.split(",")
            written.append((int(i), page, None if ms == "\\N" else float(ms), dt))
    assert sorted(written) == sorted(ROWS)
    table = localstack.client("glue").get_table(DatabaseName=lake["database"], Name="pages_txt")["Table"]
    serde = table["StorageDescriptor"]["SerdeInfo"]
    assert serde["SerializationLibrary"] == "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe"
    assert serde["Parameters"]["field.delim"] == ","
    assert table["StorageDescriptor"]["InputFormat"] == "org.apache.hadoop.mapred.TextInputFormat"
    assert [k["Name"] for k in table["PartitionKeys"]] == ["dt"]
    got = query(athena, "SELECT id, page, ms, dt FROM pages_txt ORDER BY id", lake)[1:]
    assert got == [[str(i), p, None if m is None else repr(m), d] for i, p, m, d in ROWS]


def test_ctas_json_uncompressed(athena, s3, localstack, lake):
    _, files = ctas(athena, s3, lake, "pages_json", "format = 'JSON', write_compression = 'NONE'")
    objects = [json.loads(line) for body in files.values() for line in body.decode().splitlines()]
    assert sorted((o["id"], o["page"], o["ms"], o["dt"]) for o in objects) == sorted(ROWS)
    table = localstack.client("glue").get_table(DatabaseName=lake["database"], Name="pages_json")["Table"]
    assert "JsonSerDe" in table["StorageDescriptor"]["SerdeInfo"]["SerializationLibrary"]
    assert query(athena, "SELECT count(*), sum(ms) FROM pages_json", lake)[1:] == [
        [str(len(ROWS)), repr(sum(m for _, _, m, _ in ROWS if m is not None))]]


def test_ctas_parquet_default_codec_is_gzip(athena, s3, localstack, lake):
    _, files = ctas(athena, s3, lake, "pages_pq", "format = 'PARQUET'")
    for body in files.values():
        meta = pq.ParquetFile(pa.BufferReader(body)).metadata
        assert meta.row_group(0).column(0).compression == "GZIP"
    table = localstack.client("glue").get_table(DatabaseName=lake["database"], Name="pages_pq")["Table"]
    assert table["Parameters"]["parquet.compression"] == "GZIP"


def test_ctas_format_refusals(athena, lake):
    for fmt in ("ORC", "AVRO"):
        refused = run(athena, f"CREATE TABLE t_{fmt.lower()} WITH (format = '{fmt}') AS {SOURCE}", lake)
        assert refused["Status"]["State"] == "FAILED"
        assert refused["Status"]["StateChangeReason"].startswith(f"NOT_SUPPORTED: the lab does not write {fmt}")
    bad = run(athena, f"CREATE TABLE t_bad WITH (format = 'TEXTFILE', field_delimiter = '||') AS {SOURCE}", lake)
    assert bad["Status"]["StateChangeReason"].startswith("INVALID_TABLE_PROPERTY: field_delimiter must be a single")
