"""UNLOAD in the formats Athena lists, through boto3: the files its data manifest names are
read back by independent readers (gzip + str.split for TEXTFILE, json for JSON, pyarrow for
Parquet and ORC) and compared with rows computed in the test; AVRO and a non-empty target
fail with Athena-like reasons."""
from __future__ import annotations

import gzip
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from pyarrow import orc

from tests.athena.conftest import manifest, parquet_table, run, unique

pytestmark = pytest.mark.localstack

HITS = [
    {"id": 1, "page": "/", "ms": 12.5, "dt": "2026-01-01"},
    {"id": 2, "page": "/cart", "ms": 40.0, "dt": "2026-01-01"},
    {"id": 3, "page": "/", "ms": None, "dt": "2026-01-02"},
    {"id": 4, "page": "/checkout", "ms": 120.0, "dt": "2026-01-02"},
]
SELECT = "SELECT id, page, ms, dt FROM hits"


@pytest.fixture()
def hits(lake, s3, athena):
    parquet_table(athena, s3, lake, "hits", HITS, "id bigint, page string, ms double, dt string")
    return lake


def unload(athena, s3, lake: dict, props: str) -> tuple[str, list[tuple[str, bytes]]]:
    """Runs an UNLOAD to a fresh prefix; returns the prefix and (uri, bytes) of each file
    its data manifest lists, checking that the manifest lists exactly what was written."""
    target = f"s3://{lake['bucket']}/unload/{unique('u')}/"
    execution = run(athena, f"UNLOAD ({SELECT}) TO '{target}' WITH ({props})", lake)
    assert execution["Status"]["State"] == "SUCCEEDED", execution["Status"]
    assert (execution["StatementType"], execution["SubstatementType"]) == ("DML", "UNLOAD")
    assert execution["Statistics"]["DataManifestLocation"] == \
        f"{lake['output']}{execution['QueryExecutionId']}-manifest.csv"
    listed = manifest(s3, execution)
    prefix = target[len(f"s3://{lake['bucket']}/"):]
    stored = [f"s3://{lake['bucket']}/{o['Key']}"
              for o in s3.list_objects_v2(Bucket=lake["bucket"], Prefix=prefix)["Contents"]]
    assert sorted(listed) == sorted(stored) and listed
    files = [(uri, s3.get_object(Bucket=lake["bucket"], Key=uri.split("/", 3)[3])["Body"].read()) for uri in listed]
    return target, files


def expected(*columns: str) -> list[tuple]:
    return sorted(tuple(h[c] for c in columns) for h in HITS)


def test_unload_textfile_with_delimiter_and_gzip(athena, s3, hits):
    _, files = unload(athena, s3, hits, "format = 'TEXTFILE', field_delimiter = '|'")
    assert all(uri.endswith(".gz") for uri, _ in files), files      # GZIP is Athena's default for text
    rows = [line.split("|") for _, body in files for line in gzip.decompress(body).decode().splitlines()]
    parsed = [(int(i), p, None if m == "\\N" else float(m), d) for i, p, m, d in rows]
    assert sorted(parsed, key=str) == sorted(expected("id", "page", "ms", "dt"), key=str)


def test_unload_textfile_default_delimiter_uncompressed(athena, s3, hits):
    _, files = unload(athena, s3, hits, "format = 'TEXTFILE', compression = 'NONE'")
    lines = [line for _, body in files for line in body.decode().splitlines()]
    assert sorted(line.split("\x01")[0] for line in lines) == sorted(str(h["id"]) for h in HITS)


def test_unload_json(athena, s3, hits):
    _, files = unload(athena, s3, hits, "format = 'JSON'")
    rows = [json.loads(line) for _, body in files for line in gzip.decompress(body).decode().splitlines()]
    assert sorted((r["id"], r["page"], r["ms"], r["dt"]) for r in rows) == sorted(
        expected("id", "page", "ms", "dt"), key=lambda r: r[0])


def test_unload_orc_and_parquet_partitioned(athena, s3, hits):
    _, files = unload(athena, s3, hits, "format = 'ORC', compression = 'ZSTD'")
    table = pa.concat_tables([orc.read_table(pa.BufferReader(body)) for _, body in files])
    assert sorted(zip(table["id"].to_pylist(), table["page"].to_pylist())) == expected("id", "page")

    target, files = unload(athena, s3, hits, "format = 'PARQUET', compression = 'SNAPPY', partitioned_by = ARRAY['dt']")
    assert {uri[len(target):].split("/")[0] for uri, _ in files} == {f"dt={h['dt']}" for h in HITS}
    got = []
    for uri, body in files:
        part = pq.read_table(pa.BufferReader(body))
        assert part.column_names == ["id", "page", "ms"]
        assert pq.ParquetFile(pa.BufferReader(body)).metadata.row_group(0).column(0).compression == "SNAPPY"
        got += [(i, uri[len(target):].split("/")[0][3:]) for i in part["id"].to_pylist()]
    assert sorted(got) == expected("id", "dt")


def test_unload_refusals(athena, s3, hits):
    target, _ = unload(athena, s3, hits, "format = 'JSON'")
    again = run(athena, f"UNLOAD ({SELECT}) TO '{target}' WITH (format = 'JSON')", hits)
    assert again["Status"]["State"] == "FAILED"
    assert again["Status"]["StateChangeReason"] == (
        "HIVE_PATH_ALREADY_EXISTS: Target directory already exists")
    avro = run(athena, f"UNLOAD ({SELECT}) TO '{target}avro/' WITH (format = 'AVRO')", hits)
    assert avro["Status"]["StateChangeReason"].startswith("NOT_SUPPORTED: the lab does not write AVRO")
    bad = run(athena, f"UNLOAD ({SELECT}) TO '{target}x/' WITH (format = 'TEXTFILE', compression = 'LZO')", hits)
    assert bad["Status"]["StateChangeReason"].startswith(
        "INVALID_TABLE_PROPERTY: Unsupported compression codec 'LZO' for TEXTFILE")


def test_get_query_results_data_manifest(athena, s3, hits):
    """GetQueryResults(QueryResultType='DATA_MANIFEST') pages through the manifest's lines;
    a SELECT has no manifest."""
    target = f"s3://{hits['bucket']}/unload/{unique('m')}/"
    execution = run(athena, f"UNLOAD ({SELECT}) TO '{target}' WITH (format = 'JSON', partitioned_by = ARRAY['dt'])",
                    hits)
    assert execution["Status"]["State"] == "SUCCEEDED", execution["Status"]
    listed = manifest(s3, execution)
    page = athena.get_query_results(QueryExecutionId=execution["QueryExecutionId"], QueryResultType="DATA_MANIFEST",
                                    MaxResults=1)
    rows = [r["Data"][0]["VarCharValue"] for r in page["ResultSet"]["Rows"]]
    page = athena.get_query_results(QueryExecutionId=execution["QueryExecutionId"], QueryResultType="DATA_MANIFEST",
                                    NextToken=page["NextToken"])
    rows += [r["Data"][0]["VarCharValue"] for r in page["ResultSet"]["Rows"]]
    assert rows == listed and len(rows) == len({h["dt"] for h in HITS})
    select = run(athena, SELECT, hits)
    with pytest.raises(athena.exceptions.InvalidRequestException, match="DATA_MANIFEST"):
        athena.get_query_results(QueryExecutionId=select["QueryExecutionId"], QueryResultType="DATA_MANIFEST")
