"""AWS SDK for pandas (awswrangler) against the lab: a DataFrame written as a Glue
Parquet dataset with `wr.s3.to_parquet`, read back with `wr.athena.read_sql_query`
in its default CTAS mode (CTAS + `Statistics.DataManifestLocation` + Parquet), with
`ctas_approach=False` (the result CSV) and with `unload_approach=True` (UNLOAD to
Parquet + its manifest); the expected frames are computed by
pandas from the DataFrame written, not by the lab."""
from __future__ import annotations

import awswrangler as wr
import pandas as pd
import pytest

from tests.athena.conftest import ON_BOTH_ENGINES, last_execution, run, unique
from tests.athena.wrangler_dataset import dataset_on_the_lab

pytestmark = [pytest.mark.localstack, ON_BOTH_ENGINES]

FRAME = pd.DataFrame({
    "id": [1, 2, 3, 4, 5, 6],
    "page": ["/", "/cart", "/", "/checkout", "/cart", "/"],
    "ms": [12.5, 40.0, 7.25, 120.0, 33.0, 9.0],
    "bot": [False, False, True, False, False, True],
    "dt": ["2026-01-01", "2026-01-01", "2026-01-01", "2026-01-02", "2026-01-02", "2026-01-03"],
})


@pytest.fixture()
def wrangler(localstack, lake):
    """awswrangler's endpoints pointed at the lab; the dataset written as a Glue table."""
    with dataset_on_the_lab(localstack, lake, FRAME) as w:
        yield w


def expected_per_page() -> pd.DataFrame:
    humans = FRAME[~FRAME["bot"]]
    out = humans.groupby("page", as_index=False).agg(hits=("id", "count"), total_ms=("ms", "sum"))
    return out.sort_values("page").reset_index(drop=True)


def read(w: dict, sql: str, **kwargs) -> pd.DataFrame:
    kwargs.setdefault("s3_output", w["output"])
    return wr.athena.read_sql_query(sql, database=w["database"], workgroup=w["work_group"],
                                    boto3_session=w["session"], **kwargs)


def same(got: pd.DataFrame, want: pd.DataFrame, by: str) -> None:
    got = got.sort_values(by).reset_index(drop=True)
    assert list(got.columns) == list(want.columns)
    pd.testing.assert_frame_equal(got.astype(object), want.astype(object), check_dtype=False)


@pytest.mark.parametrize("ctas_approach", [True, False])
def test_read_sql_query(wrangler, ctas_approach):
    everything = read(wrangler, f"SELECT id, page, ms, bot, dt FROM {wrangler['table']}", ctas_approach=ctas_approach)
    same(everything, FRAME, "id")
    per_page = read(wrangler, f"SELECT page, count(*) AS hits, sum(ms) AS total_ms FROM {wrangler['table']} "
                              "WHERE NOT bot GROUP BY page", ctas_approach=ctas_approach)
    same(per_page, expected_per_page(), "page")


def test_ctas_mode_leaves_no_temporary_table(localstack, wrangler):
    """The default mode ran a CTAS into `temp_table_<uuid>` under s3_output; awswrangler
    then drops the table and deletes the files its manifest listed."""
    got = read(wrangler, f"SELECT id FROM {wrangler['table']} WHERE ms > 10", keep_files=False)
    assert sorted(got["id"]) == sorted(FRAME.loc[FRAME["ms"] > 10, "id"])
    query = last_execution(localstack.client("athena"), wrangler)["Query"]
    assert query.startswith(f'CREATE TABLE "{wrangler["database"]}"."temp_table_'), query
    assert f"external_location = '{wrangler['output']}temp_table_" in query
    tables = wr.catalog.get_tables(database=wrangler["database"], boto3_session=wrangler["session"])
    assert [t["Name"] for t in tables] == [wrangler["table"]]
    s3 = localstack.client("s3")
    left = s3.list_objects_v2(Bucket=wrangler["bucket"], Prefix="athena-results/temp_table_").get("Contents", [])
    assert left == []


def test_ctas_refusals_are_athena_like(localstack, wrangler, engine):
    """Bucketing: the DuckDB engine refuses it with a reason, Trino writes it (as Athena does); a
    non-empty external_location fails as on Athena."""
    sql, bucketing = f"SELECT id, page FROM {wrangler['table']}", {"bucketing_info": (["id"], 4)}
    if engine == "duckdb":
        with pytest.raises(wr.exceptions.QueryFailed, match="NOT_SUPPORTED: bucketed_by"):
            read(wrangler, sql, ctas_parameters=bucketing)
    else:
        same(read(wrangler, sql, ctas_parameters=bucketing), FRAME[["id", "page"]], "id")
    athena = localstack.client("athena")
    location = f"s3://{wrangler['bucket']}/data/{wrangler['table']}/"     # holds the dataset
    failed = run(athena, f"CREATE TABLE again WITH (external_location = '{location}') "
                         f"AS SELECT id FROM {wrangler['table']}", wrangler)
    assert failed["Status"]["State"] == "FAILED"
    assert failed["Status"]["StateChangeReason"] == (
        f"HIVE_PATH_ALREADY_EXISTS: Target directory for table '{wrangler['database']}.again' already exists: "
        f"{location}. You may need to manually clean the data at location '{wrangler['output']}tables/"
        f"{failed['QueryExecutionId']}' before retrying. Athena will not delete data in your account.")
    failed = run(athena, f"CREATE TABLE t2 WITH (format = 'PARQUET', write_compression = 'BZIP9') "
                         f"AS SELECT id FROM {wrangler['table']}", wrangler)
    assert failed["Status"]["StateChangeReason"].startswith("INVALID_TABLE_PROPERTY: Unsupported compression")


def test_ctas_writes_the_data_manifest(localstack, wrangler):
    """The manifest lists every data file the CTAS wrote (and nothing else under the
    table's location); Athena's partitioned CTAS puts each partition in its k=v folder."""
    s3 = localstack.client("s3")
    location = f"s3://{wrangler['bucket']}/ctas/by_page/"
    execution = run(localstack.client("athena"),
                    f"CREATE TABLE by_page WITH (external_location = '{location}', format = 'PARQUET', "
                    f"write_compression = 'ZSTD', partitioned_by = ARRAY['dt']) "
                    f"AS SELECT id, ms, dt FROM {wrangler['table']}", wrangler)
    assert execution["Status"]["State"] == "SUCCEEDED", execution["Status"]
    manifest = execution["Statistics"]["DataManifestLocation"]
    assert manifest == f"{wrangler['output']}{execution['QueryExecutionId']}-manifest.csv"
    bucket, key = manifest[len("s3://"):].split("/", 1)
    listed = s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode().splitlines()
    stored = [f"s3://{wrangler['bucket']}/{o['Key']}" for o in
              s3.list_objects_v2(Bucket=wrangler["bucket"], Prefix="ctas/by_page/")["Contents"]]
    assert sorted(listed) == sorted(stored) and len(listed) == FRAME["dt"].nunique()
    assert {uri.split("/")[-2] for uri in listed} == {f"dt={d}" for d in FRAME["dt"].unique()}
    back = wr.s3.read_parquet(listed, boto3_session=wrangler["session"])
    assert sorted(back["id"]) == sorted(FRAME["id"])
    assert run(localstack.client("athena"), "SELECT 1", wrangler)["Statistics"]["DataManifestLocation"] == ""
    glue = localstack.client("glue")
    table = glue.get_table(DatabaseName=wrangler["database"], Name="by_page")["Table"]
    assert [k["Name"] for k in table["PartitionKeys"]] == ["dt"]
    assert [c["Name"] for c in table["StorageDescriptor"]["Columns"]] == ["id", "ms"]
    parts = glue.get_partitions(DatabaseName=wrangler["database"], TableName="by_page")["Partitions"]
    assert sorted(p["Values"][0] for p in parts) == sorted(FRAME["dt"].unique())


def test_unload_approach(localstack, wrangler):
    """UNLOAD writes Parquet under an empty prefix and its manifest; a second UNLOAD to the
    same, now non-empty, prefix fails as Athena refuses it."""
    target = f"s3://{wrangler['bucket']}/unload/{unique('u')}/"
    sql = f"SELECT page, count(*) AS hits, sum(ms) AS total_ms FROM {wrangler['table']} WHERE NOT bot GROUP BY page"
    got = read(wrangler, sql, ctas_approach=False, unload_approach=True, s3_output=target,
               unload_parameters={"compression": "GZIP"})
    same(got, expected_per_page(), "page")
    athena = localstack.client("athena")
    last = last_execution(athena, wrangler)
    assert last["Query"].startswith("UNLOAD (") and last["StatementType"] == "DML"
    assert last["SubstatementType"] == "UNLOAD"
    assert last["Statistics"]["DataManifestLocation"] == f"{target}{last['QueryExecutionId']}-manifest.csv"
    with pytest.raises(wr.exceptions.QueryFailed, match="HIVE_PATH_ALREADY_EXISTS"):
        read(wrangler, sql, ctas_approach=False, unload_approach=True, s3_output=target)
    failed = run(athena, f"UNLOAD (SELECT 1 AS one) TO '{target}x/' WITH (format = 'AVRO')", wrangler)
    assert failed["Status"]["StateChangeReason"].startswith("NOT_SUPPORTED: the lab does not write AVRO")
