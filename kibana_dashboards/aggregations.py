"""The panels computed with OpenSearch aggregations (for the report).

Each ``Panel`` becomes one ``_search`` request with ``size: 0``: the time range
and the panel's Lucene query as filters, the split agg (if any) outside the x
agg, metrics inside. Answers are flattened into a ``PanelResult``: the x
categories and one list of values per series, ready to draw.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from opensearchpy import OpenSearch

from . import TIME_FIELD
from .panels import DateHistogram, Filters, Panel, Terms

log = logging.getLogger(__name__)

# "auto" date histogram intervals: the smallest that gives at most MAX_BUCKETS buckets.
MAX_BUCKETS = 60
# A panel's own interval is kept up to Dashboards' default histogram:maxBars.
MAX_BARS = 100
_INTERVALS = [("1s", 1), ("5s", 5), ("10s", 10), ("30s", 30), ("1m", 60), ("5m", 300),
              ("10m", 600), ("30m", 1800), ("1h", 3600), ("3h", 10800), ("12h", 43200),
              ("1d", 86400), ("7d", 604800), ("30d", 2592000)]
_DURATION = re.compile(r"^(\d+)([smhd])$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class TimeRange:
    """The report's time range; ``start``/``end`` are None for "all data"."""

    start: datetime | None
    end: datetime | None
    label: str


@dataclass
class PanelResult:
    """One panel's numbers: x categories and, per series, one value per category."""

    panel: Panel
    categories: list[str]
    series: dict[str, list[float]]
    times: list[datetime] | None = None  # set when the x axis is a date histogram
    interval: str | None = None
    total_hits: int = 0
    error: str | None = None

    @property
    def points(self) -> int:
        """Number of non-zero values drawn; 0 means the panel shows "No data"."""
        return sum(1 for values in self.series.values() for v in values if v)


def duration(spec: str) -> timedelta:
    """``15m``, ``1h``, ``24h``, ``7d`` -> a timedelta."""
    match = _DURATION.match(spec)
    if not match:
        raise ValueError(f"--range: expected all, auto or a duration like 15m/1h/7d, got {spec!r}")
    return timedelta(seconds=int(match.group(1)) * _UNIT_SECONDS[match.group(2)])


def parse_range(spec: str, client: OpenSearch, index: str,
                now: datetime | None = None, time_field: str = TIME_FIELD, recent: str = "1h") -> TimeRange:
    """``all``, a duration back from now (``15m``, ``1h``, ``24h``, ``7d``) or ``auto``:
    the last ``recent`` (1h, like the dashboard) when the newest document is that recent,
    else all data."""
    now = now or datetime.now(UTC)
    if spec == "all":
        return TimeRange(None, None, "all data")
    if spec == "auto":
        newest = data_bounds(client, index, time_field)[1]
        if newest is not None and now - newest <= duration(recent):
            return TimeRange(now - duration(recent), now, f"last {recent} (auto: recent data)")
        return TimeRange(None, None, f"all data (auto: no document in the last {recent})")
    return TimeRange(now - duration(spec), now, f"last {spec}")


def data_bounds(client: OpenSearch, index: str, time_field: str = TIME_FIELD
                ) -> tuple[datetime | None, datetime | None]:
    """Oldest and newest ``time_field`` in the index (None, None when empty or missing)."""
    body = {"size": 0, "aggs": {"first": {"min": {"field": time_field}},
                                "last": {"max": {"field": time_field}}}}
    answer = client.search(index=index, body=body, params={"ignore_unavailable": "true"})
    aggs = answer.get("aggregations") or {}
    bounds = []
    for name in ("first", "last"):
        value = (aggs.get(name) or {}).get("value")
        bounds.append(None if value is None else
                      datetime.fromtimestamp(value / 1000, tz=UTC))
    return bounds[0], bounds[1]


def pick_interval(start: datetime, end: datetime, wanted: str = "auto") -> str:
    """``wanted`` (a panel's own interval, one of the nice ones) while it gives at most
    ``MAX_BARS`` buckets, as Dashboards keeps it; else the smallest "nice" fixed interval
    giving at most ``MAX_BUCKETS`` buckets, and not shorter than ``wanted``."""
    span = max((end - start).total_seconds(), 1)
    floor = dict(_INTERVALS).get(wanted, 0)
    if floor and span / floor <= MAX_BARS:
        return wanted
    for name, seconds in _INTERVALS:
        if span / seconds <= MAX_BUCKETS and seconds >= floor:
            return name
    return _INTERVALS[-1][0]


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _millis(moment: datetime) -> int:
    """Epoch milliseconds: what a date field takes whatever its mapping's format."""
    return int(moment.timestamp() * 1000)


def _bucket_agg(bucket: Terms | Filters | DateHistogram, bounds: tuple[datetime, datetime],
                interval: str, order: str = "_count") -> dict[str, Any]:
    if isinstance(bucket, Terms):
        return {"terms": {"field": bucket.field, "size": bucket.size, "order": {order: "desc"}}}
    if isinstance(bucket, Filters):
        return {"filters": {"filters": {
            label: {"query_string": {"query": query, "analyze_wildcard": True}}
            for label, query in bucket.filters}}}
    return {"date_histogram": {"field": bucket.field, "fixed_interval": interval,
                               "min_doc_count": 0,
                               "extended_bounds": {"min": _millis(bounds[0]),
                                                   "max": _millis(bounds[1])}}}


def search_body(panel: Panel, time_range: TimeRange, bounds: tuple[datetime, datetime],
                interval: str) -> dict[str, Any]:
    """The ``_search`` body computing ``panel``; terms are ordered by the first metric, as
    Dashboards orders them (``orderBy: "1"``)."""
    filters: list[dict[str, Any]] = []
    if time_range.start is not None:
        filters.append({"range": {panel.source.time_field: {
            "gte": _iso(time_range.start), "lte": _iso(time_range.end or bounds[1]),
            "format": "strict_date_optional_time"}}})  # as Dashboards sends it, whatever the field's format
    if panel.query:
        filters.append({"query_string": {"query": panel.query, "analyze_wildcard": True}})
    metrics = {f"m{i}": {m.agg: {"field": m.field}}
               for i, m in enumerate(panel.metrics) if m.agg != "count"}
    order = "_count" if panel.metrics[0].agg == "count" else "m0"
    aggs: dict[str, Any] = dict(metrics)
    if panel.x is not None:
        aggs = {"x": {**_bucket_agg(panel.x, bounds, interval, order),
                      **({"aggs": aggs} if aggs else {})}}
    if panel.split is not None:
        aggs = {"split": {**_bucket_agg(panel.split, bounds, interval, order),
                          "aggs": {**metrics, **aggs}}}
    body: dict[str, Any] = {"size": 0, "track_total_hits": True,
                            "query": {"bool": {"filter": filters}}}
    if aggs:
        body["aggs"] = aggs
    return body


def _buckets(answer: dict[str, Any], bucket: Terms | Filters | DateHistogram
             ) -> list[tuple[str, dict[str, Any]]]:
    """(label, bucket) pairs in display order."""
    if isinstance(bucket, Filters):
        keyed = answer.get("buckets") or {}
        return [(label, keyed.get(label, {"doc_count": 0})) for label, _ in bucket.filters]
    out = []
    for item in answer.get("buckets") or []:
        if isinstance(bucket, DateHistogram):
            label = datetime.fromtimestamp(item["key"] / 1000, tz=UTC).isoformat()
        else:
            label = str(item.get("key_as_string", item["key"]))
        out.append((label, item))
    return out


def _metric_value(panel: Panel, index: int, bucket: dict[str, Any]) -> float:
    metric = panel.metrics[index]
    if metric.agg == "count":
        return float(bucket.get("doc_count", 0))
    return float((bucket.get(f"m{index}") or {}).get("value") or 0)


def flatten(panel: Panel, answer: dict[str, Any], interval: str | None = None) -> PanelResult:
    """A search answer -> the panel's categories and series."""
    total = int(answer["hits"]["total"]["value"])
    aggs = answer.get("aggregations") or {}
    if panel.x is None and panel.split is None:
        values = [float(total) if m.agg == "count" else _metric_value(panel, i, aggs)
                  for i, m in enumerate(panel.metrics)]
        return PanelResult(panel, [m.label for m in panel.metrics], {"value": values},
                           total_hits=total)
    if panel.split is None:
        rows = _buckets(aggs["x"], panel.x)
        series = {m.label: [_metric_value(panel, i, b) for _, b in rows]
                  for i, m in enumerate(panel.metrics)}
        categories = [label for label, _ in rows]
    else:
        per_series = {label: {x: _metric_value(panel, 0, b)
                                  for x, b in _buckets(outer.get("x", {}), panel.x)}
                      for label, outer in _buckets(aggs["split"], panel.split)}
        categories = sorted({x for values in per_series.values() for x in values})
        series = {label: [values.get(x, 0.0) for x in categories]
                  for label, values in per_series.items()}
    times = None
    if isinstance(panel.x, DateHistogram):
        times = [datetime.fromisoformat(c) for c in categories]
    return PanelResult(panel, categories, series, times=times, interval=interval,
                       total_hits=total)


def compute(client: OpenSearch, index: str, panels: list[Panel],
            time_range: TimeRange) -> list[PanelResult]:
    """Run every panel's search (panels of one source); a failing panel is reported, not fatal."""
    time_field = panels[0].source.time_field if panels else TIME_FIELD
    first, last = data_bounds(client, index, time_field)
    start = time_range.start or first or datetime.now(UTC)
    end = time_range.end or last or start
    results = []
    for panel in panels:
        minimum = panel.x.interval if isinstance(panel.x, DateHistogram) else "auto"
        interval = pick_interval(start, end, minimum)
        body = search_body(panel, time_range, (start, end), interval)
        try:
            answer = client.search(index=index, body=body,
                                   params={"ignore_unavailable": "true"})
            result = flatten(panel, answer,
                             interval if isinstance(panel.x, DateHistogram) else None)
        except Exception as exc:  # noqa: BLE001 (one broken panel must not hide the others)
            log.warning("panel %s failed: %s", panel.id, exc)
            result = PanelResult(panel, [], {}, error=str(exc))
        log.debug("panel %s: %d points", panel.id, result.points)
        results.append(result)
    return results
