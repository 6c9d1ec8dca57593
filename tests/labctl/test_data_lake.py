"""The data lake's pieces that need no LocalStack: the example-query file, the table
printer, and the status lines."""
import pytest
from labctl import data_lake, status
from labctl import settings as lab

pytestmark = pytest.mark.unit


def test_example_queries_are_named_single_statements():
    queries = data_lake.example_queries()
    assert list(queries) == ["top_pages", "status_per_hour", "sessions_per_user", "failing_urls"]
    for sql in queries.values():
        assert sql.lstrip().upper().startswith("SELECT") and ";" not in sql and "-- " not in sql


def test_render_table_aligns_columns_and_shows_null():
    assert data_lake.render_table([["path", "hits"], ["/a", "10"], [None, "2"]]).splitlines() == [
        " path | hits", "------+------", " /a   | 10  ", " NULL | 2   "]
    assert data_lake.render_table([]) == "(no rows)"


def test_status_shows_crawler_tables_and_queries():
    st = status.LabStatus(runtime="native", services={"localstack": "up"}, data_lake={
        "crawler": {"name": lab.CRAWLER_NAME, "state": "READY", "last_crawl": "SUCCEEDED"},
        "tables": {"apache_": 24}, "queries": {"SUCCEEDED": 4, "FAILED": 1}})
    text = status.render_text(st)
    assert f"crawler {lab.CRAWLER_NAME}" in text and "READY (last crawl SUCCEEDED)" in text
    assert "table clickstream.apache_" in text and "24 partitions" in text
    assert "athena queries" in text and "5 (failed 1, succeeded 4)" in text
