"""AWS SDK for pandas (awswrangler) writing through the lab's Athena, as data teams use it:
`wr.athena.unload` to delimited text, `wr.athena.create_ctas_table` in JSON and as
ZSTD-compressed delimited text, a CSV dataset
written with `wr.s3.to_csv(dataset=True, database=..., table=...)` (appended to, then
queried), and a view read in the default CTAS mode. Expected frames come from pandas over
the frames written; files are read back by the test itself."""
from __future__ import annotations

import gzip
import io

import awswrangler as wr
import pandas as pd
import pyarrow as pa
import pytest

from tests.athena.conftest import ON_BOTH_ENGINES, unique
from tests.athena.wrangler_dataset import dataset_on_the_lab

pytestmark = [pytest.mark.localstack, ON_BOTH_ENGINES]

FRAME = pd.DataFrame({
    "id": [1, 2, 3, 4, 5],
    "page": ["/", "/cart", "/", "/checkout", "/cart"],
    "ms": [12.5, 40.0, 7.25, 120.0, 33.0],
    "dt": ["2026-01-01", "2026-01-01", "2026-01-02", "2026-01-02", "2026-01-03"],
})


@pytest.fixture()
def w(localstack, lake):
    with dataset_on_the_lab(localstack, lake, FRAME) as lab:
        yield lab


def test_unload_to_delimited_text(w, localstack):
    path = f"s3://{w['bucket']}/unload/{unique('t')}/"
    meta = wr.athena.unload(f"SELECT id, page FROM {w['table']} WHERE ms > 10", path=path, database=w["database"],
                            file_format="TEXTFILE", field_delimiter="|", compression="GZIP",
                            workgroup=w["work_group"], boto3_session=w["session"])
    assert meta.manifest_location and meta.manifest_location.endswith("-manifest.csv")
    s3 = localstack.client("s3")
    bucket, key = meta.manifest_location[len("s3://"):].split("/", 1)
    files = s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode().splitlines()
    assert files and all(f.startswith(path) for f in files)
    lines = [line for f in files for line in gzip.decompress(
        s3.get_object(Bucket=w["bucket"], Key=f.split("/", 3)[3])["Body"].read()).decode().splitlines()]
    want = FRAME[FRAME["ms"] > 10]
    assert sorted(lines) == sorted(f"{i}|{p}" for i, p in zip(want["id"], want["page"]))


def test_create_ctas_table_in_json(w):
    made = wr.athena.create_ctas_table(f"SELECT page, count(*) AS hits FROM {w['table']} GROUP BY page",
                                       database=w["database"], ctas_table="per_page_json", storage_format="JSON",
                                       s3_output=w["output"], wait=True, workgroup=w["work_group"],
                                       boto3_session=w["session"])
    assert made["ctas_table"] == "per_page_json"
    got = wr.athena.read_sql_table("per_page_json", database=w["database"], ctas_approach=False,
                                   s3_output=w["output"], workgroup=w["work_group"], boto3_session=w["session"])
    want = FRAME.groupby("page", as_index=False).agg(hits=("id", "count"))
    pd.testing.assert_frame_equal(got.sort_values("page").reset_index(drop=True), want, check_dtype=False)
    table = wr.catalog.table(database=w["database"], table="per_page_json", boto3_session=w["session"])
    assert list(table["Column Name"]) == ["page", "hits"]


def test_create_ctas_table_as_delimited_text(w, localstack):
    """Athena's CTAS properties field_delimiter and write_compression: '|'-separated lines in
    ZSTD-compressed files (`.zst`), the files its data manifest lists."""
    made = wr.athena.create_ctas_table(f"SELECT id, page FROM {w['table']} WHERE ms > 10", database=w["database"],
                                       ctas_table="slow_text", storage_format="TEXTFILE", field_delimiter="|",
                                       write_compression="ZSTD", s3_output=w["output"], wait=True,
                                       workgroup=w["work_group"], boto3_session=w["session"])
    manifest = made["ctas_query_metadata"].manifest_location
    s3 = localstack.client("s3")
    bucket, key = manifest[len("s3://"):].split("/", 1)
    files = s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode().splitlines()
    assert files and all(f.endswith(".zst") for f in files), files
    lines = [line for f in files for line in pa.input_stream(io.BytesIO(
        s3.get_object(Bucket=w["bucket"], Key=f.split("/", 3)[3])["Body"].read()), compression="zstd").read()
        .decode().splitlines()]
    want = FRAME[FRAME["ms"] > 10]
    assert sorted(lines) == sorted(f"{i}|{p}" for i, p in zip(want["id"], want["page"]))


def test_csv_dataset_appended_and_queried(w):
    table = unique("csv_")
    path = f"s3://{w['bucket']}/csv/{table}/"
    first, second = FRAME.iloc[:3], FRAME.iloc[3:]
    for mode, part in (("overwrite", first), ("append", second)):
        wr.s3.to_csv(part, path, dataset=True, database=w["database"], table=table, partition_cols=["dt"],
                     index=False, mode=mode, boto3_session=w["session"])
    got = wr.athena.read_sql_query(f"SELECT dt, count(*) AS n, sum(ms) AS total FROM {table} GROUP BY dt",
                                   database=w["database"], s3_output=w["output"], workgroup=w["work_group"],
                                   boto3_session=w["session"])
    want = FRAME.groupby("dt", as_index=False).agg(n=("id", "count"), total=("ms", "sum"))
    pd.testing.assert_frame_equal(got.sort_values("dt").reset_index(drop=True), want, check_dtype=False)


def test_view_read_in_ctas_mode(w):
    wr.athena.start_query_execution(f"CREATE OR REPLACE VIEW slow_pages AS SELECT id, page FROM {w['table']} "
                                    "WHERE ms > 30", database=w["database"], s3_output=w["output"], wait=True,
                                    workgroup=w["work_group"], boto3_session=w["session"])
    got = wr.athena.read_sql_query("SELECT * FROM slow_pages", database=w["database"], s3_output=w["output"],
                                   workgroup=w["work_group"], boto3_session=w["session"])
    want = FRAME.loc[FRAME["ms"] > 30, ["id", "page"]].reset_index(drop=True)
    pd.testing.assert_frame_equal(got.sort_values("id").reset_index(drop=True), want, check_dtype=False)
    assert wr.catalog.get_table_types(database=w["database"], table="slow_pages",
                                      boto3_session=w["session"]) == {"id": "bigint", "page": "string"}
