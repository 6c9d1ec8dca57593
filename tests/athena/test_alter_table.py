"""ALTER TABLE through boto3, checked in the Glue catalog (GetTable) and by querying:
SET TBLPROPERTIES after a CTAS (as dbt-athena issues it), ADD COLUMNS, REPLACE
COLUMNS, SET LOCATION; RENAME TO fails as Athena refuses it for Hive tables."""
from __future__ import annotations

import pytest

from tests.athena.conftest import query, run

pytestmark = pytest.mark.localstack

JSON_SERDE = "org.openx.data.jsonserde.JsonSerDe"


@pytest.fixture()
def glue(localstack):
    return localstack.client("glue")


def table(glue, lake, name: str) -> dict:
    return glue.get_table(DatabaseName=lake["database"], Name=name)["Table"]


def test_set_tblproperties_after_ctas(athena, glue, lake):
    ctas = run(athena, f"CREATE TABLE model WITH (format = 'PARQUET', external_location = "
                       f"'s3://{lake['bucket']}/model/') AS SELECT 1 AS id, 'a' AS name", lake)
    assert ctas["Status"]["State"] == "SUCCEEDED", ctas["Status"]
    before = table(glue, lake, "model")["Parameters"]
    done = run(athena, "ALTER TABLE model SET TBLPROPERTIES ('classification' = 'parquet', 'owner_team' = 'web')",
               lake)
    assert done["Status"]["State"] == "SUCCEEDED", done["Status"]
    assert (done["StatementType"], done["SubstatementType"]) == ("DDL", "ALTER_TABLE")
    after = table(glue, lake, "model")
    assert after["Parameters"] == {**before, "classification": "parquet", "owner_team": "web"}
    assert after["StorageDescriptor"]["Location"] == f"s3://{lake['bucket']}/model/"
    query(athena, f"ALTER TABLE {lake['database']}.model SET TBLPROPERTIES ('owner_team' = 'data')", lake)
    assert table(glue, lake, "model")["Parameters"]["owner_team"] == "data"
    assert query(athena, "SELECT id, name FROM model", lake) == [["id", "name"], ["1", "a"]]


def test_columns_and_location(athena, s3, glue, lake):
    b = lake["bucket"]
    s3.put_object(Bucket=b, Key="v1/part-0.json", Body=b'{"a": 1, "b": "x"}\n{"a": 2, "b": "y"}\n')
    s3.put_object(Bucket=b, Key="v2/part-0.json", Body=b'{"a": 10, "b": "p", "c": 1.5}\n')
    query(athena, f"CREATE EXTERNAL TABLE t (a int) ROW FORMAT SERDE '{JSON_SERDE}' LOCATION 's3://{b}/v1/'", lake)
    query(athena, "ALTER TABLE t ADD COLUMNS (b string COMMENT 'label')", lake)
    cols = table(glue, lake, "t")["StorageDescriptor"]["Columns"]
    assert cols == [{"Name": "a", "Type": "int"}, {"Name": "b", "Type": "string", "Comment": "label"}]
    assert query(athena, "SELECT a, b FROM t ORDER BY a", lake)[1:] == [["1", "x"], ["2", "y"]]
    dup = run(athena, "ALTER TABLE t ADD COLUMNS (a bigint)", lake)
    assert dup["Status"]["State"] == "FAILED"
    assert dup["Status"]["StateChangeReason"] == "FAILED: SemanticException [Error 10036]: Duplicate column name: a"

    query(athena, f"ALTER TABLE t SET LOCATION 's3://{b}/v2/'", lake)
    assert table(glue, lake, "t")["StorageDescriptor"]["Location"] == f"s3://{b}/v2/"
    query(athena, "ALTER TABLE t REPLACE COLUMNS (a bigint, c double)", lake)
    cols = table(glue, lake, "t")["StorageDescriptor"]["Columns"]
    assert cols == [{"Name": "a", "Type": "bigint"}, {"Name": "c", "Type": "double"}]
    assert query(athena, "SELECT a, c FROM t", lake) == [["a", "c"], ["10", "1.5"]]


def test_rename_and_missing_tables_fail(athena, lake):
    query(athena, "CREATE EXTERNAL TABLE r (a int) ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe' "
                  f"LOCATION 's3://{lake['bucket']}/r/'", lake)
    renamed = run(athena, "ALTER TABLE r RENAME TO r2", lake)
    assert renamed["Status"]["State"] == "FAILED"
    assert renamed["Status"]["StateChangeReason"].startswith("NOT_SUPPORTED: ALTER TABLE RENAME TO")
    missing = run(athena, "ALTER TABLE nope SET TBLPROPERTIES ('classification' = 'parquet')", lake)
    assert missing["Status"]["StateChangeReason"].startswith(
        f"TABLE_NOT_FOUND: line 1:13: Table 'awsdatacatalog.{lake['database']}.nope' does not exist")
