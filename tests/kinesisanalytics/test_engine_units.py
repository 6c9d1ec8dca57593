"""The embedded engine and the SQL plan on their own (no LocalStack): window emission and
ROWTIME, retention that never drops rows an output has not read, what the plan refuses."""
from __future__ import annotations

from collections import Counter

import pytest

from tests.kinesisanalytics.conftest import ISSUE_SQL
from tests.kinesisanalytics.engine_units import started_engine

pytestmark = pytest.mark.unit
COLUMNS = [("client_ip", "VARCHAR(64)")]
T0 = 1_700_000_000_000          # a multiple of 10 s


def test_a_window_is_emitted_once_closed_and_only_then():
    engine = started_engine("duckdb", ISSUE_SQL, COLUMNS, ["DESTINATION_SQL_STREAM"])
    engine.insert("SOURCE_SQL_STREAM_001", [(T0 + 1_000, ("a",)), (T0 + 9_999, ("a",)), (T0 + 5_000, ("b",))])
    engine.tick(T0 + 9_999)
    assert engine.read_new("DESTINATION_SQL_STREAM", 0)[0] == []
    engine.insert("SOURCE_SQL_STREAM_001", [(T0 + 10_000, ("a",))])
    engine.tick(T0 + 10_000)
    rows, _ = engine.read_new("DESTINATION_SQL_STREAM", 0)
    assert sorted((r["CLIENT_IP"], r["REQUEST_COUNT"]) for r in rows) == [("a", 2), ("b", 1)]


def test_retention_keeps_rows_an_output_has_not_read():
    engine = started_engine("duckdb", ISSUE_SQL, COLUMNS, ["DESTINATION_SQL_STREAM"])
    engine.read_new("DESTINATION_SQL_STREAM", 0)           # the output is attached, has read nothing
    sent = Counter()
    for second in range(400):                              # 400 s: beyond the 120 s retention
        ms = T0 + second * 1000
        engine.insert("SOURCE_SQL_STREAM_001", [(ms, (f"c{second % 3}",))])
        sent[(ms // 10_000, f"c{second % 3}")] += 1
        engine.tick(ms)
    engine.tick(T0 + 500_000)
    rows, _ = engine.read_new("DESTINATION_SQL_STREAM", 0)
    assert sum(r["REQUEST_COUNT"] for r in rows) == sum(sent.values()) == 400


def test_ipv6_client_is_truncated_by_the_streams_varchar16():
    engine = started_engine("duckdb", ISSUE_SQL, COLUMNS, ["DESTINATION_SQL_STREAM"])
    engine.insert("SOURCE_SQL_STREAM_001", [(T0, ("2001:db8:85a3::8a2e:370:7334",))])
    engine.tick(T0 + 10_000)
    assert engine.read_new("DESTINATION_SQL_STREAM", 0)[0] == [{"CLIENT_IP": "2001:db8:85a3::8", "REQUEST_COUNT": 1}]
