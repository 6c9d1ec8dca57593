"""`report`: the panels from OpenSearch aggregations, rendered to HTML + PNG, checked
in headless Chromium against real OpenSearch filled by the real ETL's output."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from opensearchpy import OpenSearch
from PIL import Image

from kibana_dashboards.__main__ import main
from kibana_dashboards.aggregations import parse_range, pick_interval
from kibana_dashboards.panels import all_panels
from kibana_dashboards.report import build
from kibana_dashboards.sources import APACHE
from kibana_dashboards.template import put_template

from .conftest import run_chromium


class PanelSections(HTMLParser):
    """Each report panel's data attributes, whether it holds an <svg>, and its text."""

    def __init__(self) -> None:
        super().__init__()
        self.panels: dict[str, dict] = {}
        self._current: dict | None = None
        self._depth = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section" and "data-panel-id" in attrs:
            self._current = {"points": int(attrs["data-points"]), "chart": attrs["data-chart"],
                             "svg_paths": 0, "text": ""}
            self.panels[attrs["data-panel-id"]] = self._current
            self._depth = 0
        elif self._current is not None:
            if tag == "section":
                self._depth += 1
            if tag == "path":
                self._current["svg_paths"] += 1

    def handle_endtag(self, tag):
        if tag == "section" and self._current is not None:
            if self._depth == 0:
                self._current = None
            else:
                self._depth -= 1

    def handle_data(self, data):
        if self._current is not None:
            self._current["text"] += data


def distinct_colours(path: Path) -> int:
    with Image.open(path) as image:
        colours = image.convert("RGB").getcolors(maxcolors=1 << 16)
    return (1 << 16) if colours is None else len(colours)


def browser_view(chromium: str, html: Path, tmp: Path) -> tuple[dict[str, dict], Path]:
    """The panels as Chromium's DOM has them, and a full-page screenshot."""
    dom = run_chromium(chromium, tmp, html.as_uri(), "--dump-dom").stdout.decode()
    parser = PanelSections()
    parser.feed(dom)
    shot = tmp / "screenshot.png"
    run_chromium(chromium, tmp, html.as_uri(), "--window-size=1280,2400", f"--screenshot={shot}")
    return parser.panels, shot


@pytest.mark.unit
@pytest.mark.parametrize("span, expected", [
    (timedelta(minutes=1), "1s"), (timedelta(hours=1), "1m"),
    (timedelta(days=1), "30m"), (timedelta(days=4), "3h"), (timedelta(days=400), "7d"), (timedelta(days=1900), "30d"),
])
def test_pick_interval(span, expected):
    start = datetime(2015, 5, 17, tzinfo=UTC)
    assert pick_interval(start, start + span) == expected


@pytest.mark.unit
@pytest.mark.parametrize("span, expected", [
    (timedelta(minutes=5), "10s"), (timedelta(minutes=15), "10s"), (timedelta(hours=1), "1m"),
])
def test_a_panels_own_interval_is_kept_up_to_dashboards_max_bars(span, expected):
    start = datetime(2026, 11, 25, tzinfo=UTC)
    assert pick_interval(start, start + span, "10s") == expected


@pytest.mark.unit
def test_parse_range_durations():
    now = datetime(2026, 1, 1, 12, tzinfo=UTC)
    assert parse_range("all", None, "apache*", now).start is None
    assert parse_range("15m", None, "apache*", now).start == now - timedelta(minutes=15)
    assert parse_range("7d", None, "apache*", now).start == now - timedelta(days=7)
    with pytest.raises(ValueError):
        parse_range("yesterday", None, "apache*", now)


@pytest.mark.opensearch
def test_auto_range_is_last_hour_only_for_recent_data(empty_opensearch):
    client = OpenSearch(hosts=[empty_opensearch])
    put_template(client)
    client.index(index="apache", body={"@timestamp": "2015-05-17T10:05:03+00:00"}, refresh=True)
    assert parse_range("auto", client, "apache*").start is None
    recent = datetime.now(UTC) - timedelta(minutes=5)
    client.index(index="apache", body={"@timestamp": recent.isoformat()}, refresh=True)
    assert parse_range("auto", client, "apache*").label.startswith("last 1h")


@pytest.mark.opensearch
@pytest.mark.browser
def test_every_panel_renders_with_data(filled_opensearch, etl_docs, chromium, tmp_path, capsys):
    out = tmp_path / "report"
    assert main(["report", "--url", filled_opensearch, "--out", str(out), "--range", "all"]) == 0
    summary = capsys.readouterr().out
    assert f"Total Requests {len(etl_docs):,}" in summary

    panels, shot = browser_view(chromium, out / "index.html", tmp_path)
    assert set(panels) == {p.id for p in all_panels() if p.source == APACHE}  # no web-access-counts
    for panel_id, seen in panels.items():
        assert seen["points"] > 0, f"{panel_id} rendered without data"
        assert seen["svg_paths"] > 5, f"{panel_id} has no drawn chart"
        assert "No data" not in seen["text"], panel_id
        assert distinct_colours(out / f"{panel_id}.png") > 2, f"{panel_id}.png is blank"
    assert distinct_colours(shot) > 50

    html = (out / "index.html").read_text()
    # Nothing is loaded from elsewhere (a plain <a> link, DB-IP's required credit, loads nothing).
    for external in ('src="http', "src='http", "<link", "@import", "url(http"):
        assert external not in html, f"external resource in the report: {external}"
    assert '<a href="https://db-ip.com">IP Geolocation by DB-IP</a>' in html


@pytest.mark.opensearch
def test_numbers_match_the_etl_documents(filled_opensearch, etl_docs, tmp_path):
    report = build(OpenSearch(hosts=[filled_opensearch]), tmp_path, range_spec="all")
    results = report.results
    assert results["d5d63d50-e3c5-11e8-bf67-e7c46fbb018b"].series["value"] == [len(etl_docs)]
    bots = sum(1 for d in etl_docs if d["is_bot"])
    crawlers = results["shop-crawlers-vs-people"]
    assert dict(zip(crawlers.categories, crawlers.series["Count"])) == {
        "people": len(etl_docs) - bots, "crawlers": bots}
    responses = Counter(d["response"] for d in etl_docs)
    pie = results["ba793180-e3c4-11e8-bf67-e7c46fbb018b"]
    assert dict(zip(pie.categories, pie.series["Count"])) == {
        str(code): n for code, n in responses.most_common(5)}
    sessions = {step: {d["session_id"] for d in etl_docs if d["page"] == step and d["session_id"]}
                for step in ("home", "category", "product", "cart", "checkout")}
    funnel = results["shop-funnel"]
    assert funnel.series["Sessions"] == [len(sessions[s]) for s in funnel.categories]
    assert funnel.series["Sessions"][0] > funnel.series["Sessions"][-1] > 0
    countries = Counter(d["geo"]["country_name"] for d in etl_docs if "geo" in d)
    visitors = {c: len({d["client_ip"] for d in etl_docs if d.get("geo", {}).get("country_name") == c})
                for c in countries}
    by_country = results["shop-visitors-by-country"]
    assert dict(zip(by_country.categories, by_country.series["Unique visitors"])) == visitors
    assert visitors["United Kingdom"] > 0 and visitors["Sweden"] > 0
    cities = results["shop-top-cities"]
    requests_by_city = Counter(d["geo"]["city_name"] for d in etl_docs if "city_name" in d.get("geo", {}))
    assert dict(zip(cities.categories, cities.series["Requests"])) == dict(requests_by_city.most_common(20))
    errors = results["shop-errors-over-time"]
    assert sum(errors.series["5xx"]) == sum(1 for d in etl_docs if 500 <= d["response"] <= 599)


@pytest.mark.opensearch
@pytest.mark.browser
def test_panels_without_data_say_so_visibly(filled_opensearch, chromium, tmp_path):
    """The data is from 2015: the last 15 minutes hold nothing, and every panel must say so."""
    out = tmp_path / "report"
    build(OpenSearch(hosts=[filled_opensearch]), out, range_spec="15m")
    panels, shot = browser_view(chromium, out / "index.html", tmp_path)
    assert len(panels) == len([p for p in all_panels() if p.source == APACHE])
    for panel_id, seen in panels.items():
        assert seen["points"] == 0, panel_id
        assert "No data" in seen["text"], f"{panel_id} does not say No data"
        assert distinct_colours(out / f"{panel_id}.png") > 2  # the words are drawn, too
    assert distinct_colours(shot) > 2


@pytest.mark.opensearch
def test_report_on_a_server_without_the_index(empty_opensearch, tmp_path):
    report = build(OpenSearch(hosts=[empty_opensearch]), tmp_path, range_spec="auto")
    assert all(r.points == 0 for r in report.results.values())
    assert report.html_path.exists()
    assert all(d.source == APACHE for d in report.dashboards)  # no web-access-counts: left out
    assert all(r.panel.source == APACHE for r in report.results.values())
