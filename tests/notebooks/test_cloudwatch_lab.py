"""The lab's notebooks on PySpark over sink-shaped objects: every gold table equals an independent
Python computation over the same lines, and the notebooks' own assert cells pass."""
from __future__ import annotations

from functools import cache

import pytest

from tests.notebooks import independent
from tests.notebooks.conftest import sink_lines
from tests.support.data_files import GEOIP_TEST_DB

pytestmark = pytest.mark.localstack


def test_run_succeeds_and_assert_cells_pass(notebook_run):
    assert notebook_run.result.returncode == 0, notebook_run.result.stderr[-3000:]
    report = (notebook_run.out / "report.html").read_text()
    assert "Run failed" not in report
    assert report.count("<td>failed</td>") == 0 and report.count("<td>ok</td>") >= 15


@cache
def _expected() -> dict[str, dict]:
    return independent.gold(sink_lines(), str(GEOIP_TEST_DB))


def test_requests_per_browser(notebook_run):
    got = {r["browser"]: r["requests"] for r in notebook_run.gold("gold_requests_per_browser")}
    assert got == _expected()["gold_requests_per_browser"]
    assert {"Chrome", "Firefox", "Safari", "Bot"} <= set(got)


def test_requests_per_country_from_the_same_database(notebook_run):
    got = {r["country"]: r["requests"] for r in notebook_run.gold("gold_requests_per_country")}
    expected = _expected()["gold_requests_per_country"]
    assert got == expected
    assert len(got) >= 5 and sum(got.values()) == len(notebook_run.lines)


def test_bytes_per_ip_with_dash_as_zero(notebook_run):
    got = {r["ip"]: (r["requests"], r["response_bytes"]) for r in notebook_run.gold("gold_bytes_per_ip")}
    assert got == _expected()["gold_bytes_per_ip"]


def test_failed_requests(notebook_run):
    got = {r["status"]: r["requests"] for r in notebook_run.gold("gold_failed_requests")}
    assert got == _expected()["gold_failed_requests"]
    assert 404 in got


def test_requests_per_day_and_hour(notebook_run):
    got = {(r["day"], r["hour"]): r["requests"] for r in notebook_run.gold("gold_requests_per_day_hour")}
    assert got == _expected()["gold_requests_per_day_hour"]


def test_report_has_a_chart_per_gold_table_and_the_word_cloud(notebook_run):
    out = notebook_run.out
    tables = sorted(p.stem for p in (out / "gold").glob("*.json"))
    assert tables == sorted(_expected())
    for name in [*tables, "wordcloud"]:
        png = out / f"{name}.png"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", png
        assert f"src='{name}.png'" in (out / "report.html").read_text()
