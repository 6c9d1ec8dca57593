"""Athena views through boto3: CREATE [OR REPLACE] VIEW stored in Glue as Athena stores a
Presto view (VIRTUAL_VIEW, base64 JSON in ViewOriginalText), queried, listed, shown and
dropped; a view over a missing table fails. The expected rows are computed in the test
from the rows it wrote to S3 with pyarrow, and the Glue form is decoded by the test."""
from __future__ import annotations

import base64
import json

import pytest

from tests.athena.conftest import parquet_table, query, run

pytestmark = pytest.mark.localstack

HITS = [
    {"id": 1, "page": "/", "ms": 12.5, "bot": False},
    {"id": 2, "page": "/cart", "ms": 40.0, "bot": False},
    {"id": 3, "page": "/", "ms": 7.25, "bot": True},
    {"id": 4, "page": "/checkout", "ms": 120.0, "bot": False},
    {"id": 5, "page": "/cart", "ms": 33.0, "bot": False},
]


@pytest.fixture()
def hits(localstack, lake, s3, athena):
    """A Parquet table `hits` written by pyarrow, declared with Athena DDL."""
    parquet_table(athena, s3, lake, "hits", HITS, "id bigint, page string, ms double, bot boolean")
    return lake


def humans_per_page() -> list[list[str]]:
    out: dict[str, list] = {}
    for h in HITS:
        if not h["bot"]:
            out.setdefault(h["page"], []).append(h["ms"])
    return [[page, str(len(ms)), repr(sum(ms))] for page, ms in sorted(out.items())]


VIEW_SQL = "SELECT page, count(*) AS hits, sum(ms) AS total_ms\nFROM hits WHERE NOT bot GROUP BY page"


def test_view_is_stored_as_athena_stores_it_and_queried(localstack, athena, hits):
    created = run(athena, f"CREATE VIEW per_page AS {VIEW_SQL}", hits)
    assert created["Status"]["State"] == "SUCCEEDED", created["Status"]
    assert (created["StatementType"], created["SubstatementType"]) == ("DDL", "CREATE_VIEW")
    table = localstack.client("glue").get_table(DatabaseName=hits["database"], Name="per_page")["Table"]
    assert table["TableType"] == "VIRTUAL_VIEW"
    assert table["ViewExpandedText"] == "/* Presto View */"
    assert table["Parameters"]["presto_view"] == "true" and table["Parameters"]["comment"] == "Presto View"
    original = table["ViewOriginalText"]
    assert original.startswith("/* Presto View: ") and original.endswith(" */")
    payload = json.loads(base64.b64decode(original[len("/* Presto View: "):-len(" */")]))
    assert payload["originalSql"] == VIEW_SQL
    assert (payload["catalog"], payload["schema"]) == ("awsdatacatalog", hits["database"])
    assert payload["columns"] == [{"name": "page", "type": "varchar"}, {"name": "hits", "type": "bigint"},
                                  {"name": "total_ms", "type": "double"}]
    assert [(c["Name"], c["Type"]) for c in table["StorageDescriptor"]["Columns"]] == [
        ("page", "string"), ("hits", "bigint"), ("total_ms", "double")]

    got = query(athena, "SELECT * FROM per_page ORDER BY page", hits)
    assert got == [["page", "hits", "total_ms"]] + humans_per_page()
    joined = query(athena, "SELECT v.page, v.hits FROM per_page v JOIN hits h ON h.page = v.page "
                           "WHERE h.id = 4", hits)
    assert joined[1:] == [["/checkout", "1"]]

    assert query(athena, "SHOW VIEWS", hits) == [["per_page"]]
    assert query(athena, f"SHOW VIEWS IN {hits['database']} LIKE 'per*'", hits) == [["per_page"]]
    assert query(athena, "SHOW VIEWS LIKE 'hits'", hits) == []
    shown = query(athena, "SHOW CREATE VIEW per_page", hits)
    assert "\n".join(r[0] for r in shown) == (f'CREATE VIEW "awsdatacatalog"."{hits["database"]}"."per_page" AS\n'
                                             f"{VIEW_SQL}")


def test_replace_and_drop_view(athena, hits):
    assert run(athena, f"CREATE VIEW v1 AS {VIEW_SQL}", hits)["Status"]["State"] == "SUCCEEDED"
    again = run(athena, "CREATE VIEW v1 AS SELECT id FROM hits", hits)
    assert again["Status"]["State"] == "FAILED"
    assert again["Status"]["StateChangeReason"] == (
        f"TABLE_ALREADY_EXISTS: line 1:1: View already exists: 'awsdatacatalog.{hits['database']}.v1'")
    replaced = run(athena, "CREATE OR REPLACE VIEW v1 AS SELECT id FROM hits WHERE ms > 30", hits)
    assert replaced["Status"]["State"] == "SUCCEEDED", replaced["Status"]
    got = query(athena, "SELECT id FROM v1 ORDER BY id", hits)
    assert got == [["id"]] + [[str(h["id"])] for h in HITS if h["ms"] > 30]

    dropped = run(athena, "DROP VIEW v1", hits)
    assert (dropped["Status"]["State"], dropped["SubstatementType"]) == ("SUCCEEDED", "DROP_VIEW")
    gone = run(athena, "SELECT * FROM v1", hits)
    assert gone["Status"]["StateChangeReason"].startswith("TABLE_NOT_FOUND: line 1:15: Table "
                                                          f"'awsdatacatalog.{hits['database']}.v1' does not exist")
    assert run(athena, "DROP VIEW IF EXISTS v1", hits)["Status"]["State"] == "SUCCEEDED"
    missing = run(athena, "DROP VIEW v1", hits)
    assert missing["Status"]["StateChangeReason"] == (
        f"TABLE_NOT_FOUND: line 1:1: View 'awsdatacatalog.{hits['database']}.v1' does not exist")
    not_a_view = run(athena, "DROP VIEW hits", hits)
    assert "a table with that name exists. Did you mean DROP TABLE" in not_a_view["Status"]["StateChangeReason"]


def test_view_over_a_missing_table_fails(athena, hits):
    never = run(athena, "CREATE VIEW nothing AS SELECT * FROM no_such_table", hits)
    assert never["Status"]["State"] == "FAILED"
    assert never["Status"]["StateChangeReason"].startswith(
        f"TABLE_NOT_FOUND: line 1:38: Table 'awsdatacatalog.{hits['database']}.no_such_table' does not exist")
    assert run(athena, "CREATE VIEW slow AS SELECT id, ms FROM hits WHERE ms > 30", hits)["Status"]["State"] == \
        "SUCCEEDED"
    assert run(athena, "DROP TABLE hits", hits)["Status"]["State"] == "SUCCEEDED"
    stale = run(athena, "SELECT * FROM slow", hits)
    assert stale["Status"]["State"] == "FAILED"
    assert stale["Status"]["StateChangeReason"].startswith(
        f"INVALID_VIEW: line 1:15: Failed analyzing stored view 'awsdatacatalog.{hits['database']}.slow': ")
    assert f"Table 'awsdatacatalog.{hits['database']}.hits' does not exist" in stale["Status"]["StateChangeReason"]
    unnamed = run(athena, "CREATE VIEW unnamed AS SELECT count(*) FROM (VALUES 1) AS v(x)", hits)
    assert unnamed["Status"]["StateChangeReason"] == \
        "MISSING_COLUMN_NAME: line 1:1: Column name not specified at position 1"


def test_view_written_to_glue_by_another_tool_is_queried(localstack, athena, hits):
    """A view as Athena itself writes it to Glue (the test encodes it) reads the same rows."""
    payload = {"originalSql": "SELECT id, page FROM hits WHERE bot", "catalog": "awsdatacatalog",
               "schema": hits["database"], "columns": [{"name": "id", "type": "bigint"},
                                                      {"name": "page", "type": "varchar"}]}
    encoded = base64.b64encode(json.dumps(payload).encode()).decode()
    localstack.client("glue").create_table(DatabaseName=hits["database"], TableInput={
        "Name": "bots", "TableType": "VIRTUAL_VIEW", "Parameters": {"presto_view": "true", "comment": "Presto View"},
        "ViewOriginalText": f"/* Presto View: {encoded} */", "ViewExpandedText": "/* Presto View */",
        "StorageDescriptor": {"Columns": [{"Name": "id", "Type": "bigint"}, {"Name": "page", "Type": "string"}]}})
    got = query(athena, "SELECT count(*) AS n, min(page) AS page FROM bots", hits)
    bots = [h for h in HITS if h["bot"]]
    assert got[1:] == [[str(len(bots)), min(h["page"] for h in bots)]]
