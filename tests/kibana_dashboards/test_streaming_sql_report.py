"""The streaming SQL dashboard in the report: rows indexed into `web-access-counts` exactly as
Firehose `web_access_counts_index` writes them (a `_bulk` of the application's JSON output
records, into the index provisioning creates), drawn with the counts of an independent
computation from the requests behind them."""

from __future__ import annotations

import json
import random
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
import requests
from opensearchpy import OpenSearch

from kibana_dashboards.__main__ import main
from kibana_dashboards.panels import REQUESTS_PER_CLIENT, STREAMING_SQL, TOP_STREAMING_CLIENTS
from kibana_dashboards.report import build
from kibana_dashboards.sources import WEB_ACCESS_COUNTS_MAPPING
from tests.support.waiting import scaled

from .test_report import PanelSections

pytestmark = pytest.mark.opensearch

INDEX = "web-access-counts"
START = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
CLIENTS = [f"203.0.113.{i}" for i in range(1, 13)] + ["2001:db8:85a3:0:0"]  # VARCHAR(16)-cut IPv6


def requests_seen() -> list[tuple[str, datetime]]:
    """(client, time) of each request over 5 minutes, some clients much busier than others."""
    rng = random.Random(14)
    return [(rng.choice(CLIENTS[: 1 + i % len(CLIENTS)]), START + timedelta(seconds=rng.uniform(0, 300)))
            for i in range(3000)]


def window_end(moment: datetime) -> datetime:
    return START + timedelta(seconds=(int((moment - START).total_seconds()) // 10 + 1) * 10)


def output_records(seen: list[tuple[str, datetime]]) -> list[bytes]:
    """DASHBOARD_STREAM's JSON records (one object, KDA's TIMESTAMP format, no separator)."""
    counts = Counter((client, window_end(moment)) for client, moment in seen)
    return [json.dumps({"WINDOW_END": end.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3], "CLIENT_IP": client,
                        "REQUEST_COUNT": n}, separators=(",", ":")).encode()
            for (client, end), n in sorted(counts.items())]


@pytest.fixture
def counts_opensearch(empty_opensearch):
    """The index as provisioning creates it, fed as Firehose's OpenSearch delivery feeds it."""
    requests.put(f"{empty_opensearch}/{INDEX}", json=WEB_ACCESS_COUNTS_MAPPING, timeout=scaled(30)).raise_for_status()
    seen = requests_seen()
    body = b"".join(json.dumps({"index": {"_index": INDEX}}).encode() + b"\n" + record + b"\n"
                    for record in output_records(seen))
    answer = requests.post(f"{empty_opensearch}/_bulk", data=body, timeout=30,
                           headers={"Content-Type": "application/x-ndjson"}).json()
    assert not answer["errors"], answer["items"][:3]
    requests.post(f"{empty_opensearch}/{INDEX}/_refresh", timeout=scaled(30))
    return empty_opensearch, seen


def test_report_draws_the_applications_counts(counts_opensearch, tmp_path, capsys):
    url, seen = counts_opensearch
    out = tmp_path / "report"
    assert main(["report", "--url", url, "--out", str(out), "--range", "auto"]) == 0
    assert "Streaming SQL - Requests per Client per 10 s: 30 buckets of 10s" in capsys.readouterr().out

    report = build(OpenSearch(hosts=[url]), out, range_spec="auto")
    assert STREAMING_SQL in report.dashboards
    per_window = Counter((client, window_end(moment)) for client, moment in seen)
    per_client = Counter(client for client, _ in seen)

    histogram = report.results[REQUESTS_PER_CLIENT.id]
    assert histogram.interval == "10s"
    top = [client for client, _ in per_client.most_common(10)]
    assert sorted(histogram.series) == sorted(top)
    for client in top:  # each bar is one window's count (bucket key = WINDOW_END)
        drawn = {t: v for t, v in zip(histogram.times, histogram.series[client]) if v}
        assert drawn == {s: float(n) for (c, s), n in per_window.items() if c == client}, client

    table = report.results[TOP_STREAMING_CLIENTS.id]
    assert table.categories == [c for c, _ in per_client.most_common()]
    assert table.series["Requests"] == [float(n) for _, n in per_client.most_common()]
    windows = Counter(client for client, _ in per_window)
    assert table.series["Windows"] == [float(windows[c]) for c in table.categories]

    sections = PanelSections()
    sections.feed(report.html_path.read_text())
    for panel in STREAMING_SQL.panels:
        assert sections.panels[panel.id]["points"] > 0, panel.id
        assert sections.panels[panel.id]["svg_paths"] > 5 or panel.chart == "table", panel.id
        assert (out / f"{panel.id}.png").stat().st_size > 1000
