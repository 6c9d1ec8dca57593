"""The dashboards without Dashboards: one self-contained HTML page, one PNG per
panel, and a short text summary, computed from OpenSearch aggregations.

For terminals, CI artefacts and the native lab (where no Dashboards UI runs).
The page has no external resource (charts are inline SVG, styles inline); each
panel's ``<section>`` carries ``data-panel-id``, ``data-chart`` and
``data-points`` (number of non-zero values drawn; 0 = "No data").

The ``apache*`` dashboards are always drawn (on ``--index``); a dashboard of another source
(the streaming SQL application's ``web-access-counts``) is drawn when its index has data,
over its own time range (``auto``: the dashboard's range, e.g. 15m, when its newest row is
that recent, else all its data).
"""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from opensearchpy import OpenSearch

from . import DASHBOARDS_VERSION
from .aggregations import PanelResult, TimeRange, compute, data_bounds, parse_range
from .charts import NO_DATA, render, to_png, to_svg
from .panels import DASHBOARDS, Dashboard
from .sources import APACHE

# DB-IP's licence asks pages showing its results to link back to DB-IP.com.
GEOIP_CREDIT = ('<p class="meta">Visitor geolocation: <a href="https://db-ip.com">IP Geolocation by '
                "DB-IP</a> (IP to City Lite, CC BY 4.0), unless LAB_GEOIP_DATABASE names another "
                "database.</p>")

log = logging.getLogger(__name__)

_CSS = """
body{font-family:Inter,-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;margin:24px;
     color:#343741;background:#fafbfd}
h1{font-size:22px;margin:0 0 4px} h2{font-size:18px;margin:32px 0 8px}
.meta{color:#69707D;font-size:13px}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(560px,1fr));gap:16px}
.panel{background:#fff;border:1px solid #D3DAE6;border-radius:6px;padding:12px}
.panel h3{font-size:15px;margin:0 0 2px} .panel p.desc{color:#69707D;font-size:12px;margin:0 0 8px}
.panel svg{width:100%;height:auto}
.no-data{color:#69707D;font-size:14px;font-weight:600;margin:4px 0}
"""


@dataclass
class Report:
    """What was rendered: the range, every panel's result, and where the files are."""

    time_range: TimeRange
    results: dict[str, PanelResult]
    html_path: Path
    png_paths: dict[str, Path]
    dashboards: tuple[Dashboard, ...] = DASHBOARDS


def _panel_html(result: PanelResult, svg: str) -> str:
    panel = result.panel
    no_data = ""
    if result.points == 0:
        why = f" ({html.escape(result.error)})" if result.error else ""
        no_data = f'<p class="no-data">{NO_DATA}{why}</p>'
    return (f'<section class="panel" data-panel-id="{html.escape(panel.id)}" '
            f'data-chart="{panel.chart}" data-points="{result.points}">'
            f"<h3>{html.escape(panel.title)}</h3>"
            f'<p class="desc">{html.escape(panel.description)}</p>{no_data}{svg}</section>')


def _dashboard_html(dashboard: Dashboard, svgs: dict[str, str],
                    results: dict[str, PanelResult]) -> str:
    panels = "".join(_panel_html(results[p.id], svgs[p.id]) for p in dashboard.panels)
    return (f'<h2 data-dashboard-id="{html.escape(dashboard.id)}">'
            f"{html.escape(dashboard.title)}</h2>"
            f'<div class="grid">{panels}</div>')


def page_html(index: str, time_range: TimeRange, results: dict[str, PanelResult],
              svgs: dict[str, str], generated: datetime,
              dashboards: tuple[Dashboard, ...] = DASHBOARDS) -> str:
    """The whole report page."""
    body = "".join(_dashboard_html(d, svgs, results) for d in dashboards)
    total = max((r.total_hits for r in results.values()), default=0)
    return ("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<title>Clickstream Lab report</title>"
            f"<style>{_CSS}</style></head><body>"
            "<h1>Clickstream Lab report</h1>"
            f'<p class="meta">Index <code>{html.escape(index)}</code> · '
            f"{html.escape(time_range.label)} · {total:,} documents · generated "
            f"{generated:%Y-%m-%d %H:%M:%S} UTC · panels of the OpenSearch Dashboards "
            f"{DASHBOARDS_VERSION} saved objects</p>{body}{GEOIP_CREDIT}</body></html>")


def summary_line(result: PanelResult) -> str:
    """One terminal line for a panel."""
    title = result.panel.title
    if result.error:
        return f"{title}: error: {result.error}"
    if result.points == 0:
        return f"{title}: no data"
    if result.panel.chart == "metric":
        return title + ": " + ", ".join(
            f"{label} {value:,.0f}" for label, value in
            zip(result.categories, result.series["value"]))
    if result.times is not None:
        totals = sorted(((sum(v), label) for label, v in result.series.items()), reverse=True)
        parts = ", ".join(f"{label[:40]} {total:,.0f}" for total, label in totals[:3])
        return f"{title}: {len(result.categories)} buckets of {result.interval}; {parts}"
    label, values = next(iter(result.series.items()))
    pairs = [(c, v) for c, v in zip(result.categories, values)]
    top = ", ".join(f"{c[:40]} {v:,.0f}" for c, v in pairs[:5])
    return f"{title} ({label}): {top}"


def build(client: OpenSearch, out_dir: Path, index: str = "apache*",
          range_spec: str = "auto") -> Report:
    """Compute every panel, write ``index.html`` and ``<panel-id>.png`` into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    time_range = parse_range(range_spec, client, index)
    results: dict[str, PanelResult] = {}
    shown = []
    for source in dict.fromkeys(d.source for d in DASHBOARDS):
        dashboards = [d for d in DASHBOARDS if d.source == source]
        if source == APACHE:
            source_index, source_range = index, time_range
        elif data_bounds(client, source.title, source.time_field)[1] is None:
            log.info("index %s has no data: its dashboards are left out", source.title)
            continue
        else:
            source_index = source.title
            source_range = parse_range(range_spec, client, source_index, time_field=source.time_field,
                                       recent=dashboards[0].time_from.removeprefix("now-"))
        panels = list({p.id: p for d in dashboards for p in d.panels}.values())
        results.update((r.panel.id, r) for r in compute(client, source_index, panels, source_range))
        shown += dashboards
    svgs, pngs = {}, {}
    for panel_id, result in results.items():
        fig = render(result)
        svgs[panel_id] = to_svg(fig)
        pngs[panel_id] = out_dir / f"{panel_id}.png"
        to_png(fig, pngs[panel_id])
    html_path = out_dir / "index.html"
    dashboards = tuple(d for d in DASHBOARDS if d in shown)
    html_path.write_text(page_html(index, time_range, results, svgs,
                                   datetime.now(UTC), dashboards), encoding="utf-8")
    empty = sum(1 for r in results.values() if r.points == 0)
    log.info("report written to %s (%d panels, %d without data, %s)", html_path,
             len(results), empty, time_range.label)
    return Report(time_range, results, html_path, pngs, dashboards)
