"""CTAS options through boto3, checked in Glue and S3: WITH NO DATA creates the table
with the query's schema and writes no file (an empty data manifest); IF NOT EXISTS on
an existing table changes nothing; without it the CTAS fails TABLE_ALREADY_EXISTS; an
unnamed or repeated column fails as Trino's analyser says, writing nothing."""
from __future__ import annotations

import pytest

from tests.athena.conftest import manifest, query, run

pytestmark = pytest.mark.localstack


def test_with_no_data_and_if_not_exists(athena, s3, localstack, lake):
    b = lake["bucket"]
    empty = run(athena, f"CREATE TABLE shape WITH (external_location = 's3://{b}/shape/') "
                        "AS SELECT 1 AS id, 'x' AS name, 2.5 AS score WITH NO DATA", lake)
    assert empty["Status"]["State"] == "SUCCEEDED", empty["Status"].get("StateChangeReason")
    table = localstack.client("glue").get_table(DatabaseName=lake["database"], Name="shape")["Table"]
    assert [(c["Name"], c["Type"]) for c in table["StorageDescriptor"]["Columns"]] == [
        ("id", "int"), ("name", "string"), ("score", "decimal(2,1)")]
    assert s3.list_objects_v2(Bucket=b, Prefix="shape/").get("KeyCount") == 0
    assert manifest(s3, empty) == []
    assert query(athena, "SELECT count(*) FROM shape", lake) == [["_col0"], ["0"]]

    again = run(athena, "CREATE TABLE IF NOT EXISTS shape AS SELECT 'other' AS other", lake)
    assert again["Status"]["State"] == "SUCCEEDED", again["Status"].get("StateChangeReason")
    table = localstack.client("glue").get_table(DatabaseName=lake["database"], Name="shape")["Table"]
    assert [c["Name"] for c in table["StorageDescriptor"]["Columns"]] == ["id", "name", "score"]
    clash = run(athena, "CREATE TABLE shape AS SELECT 1 AS id", lake)
    assert clash["Status"]["StateChangeReason"] == (
        f"TABLE_ALREADY_EXISTS: Table 'awsdatacatalog.{lake['database']}.shape' already exists")
    # Trino's rules for a new table's columns (Athena: measured messages of its validateColumns)
    unnamed = run(athena, "CREATE TABLE unnamed AS SELECT 1 AS id, count(*) FROM shape", lake)
    assert unnamed["Status"]["StateChangeReason"] == \
        "MISSING_COLUMN_NAME: line 1:1: Column name not specified at position 2"
    twice = run(athena, "CREATE TABLE twice AS SELECT 1 AS id, 2 AS ID", lake)
    assert twice["Status"]["StateChangeReason"] == \
        "DUPLICATE_COLUMN_NAME: line 1:1: Column name 'id' specified more than once"
    assert s3.list_objects_v2(Bucket=b, Prefix="athena-results/tables/").get("KeyCount", 0) == 0
