"""The lab's Saved Objects (index pattern, visualizations, dashboards) as NDJSON.

Objects are built from ``panels.py`` in the format OpenSearch Dashboards
``DASHBOARDS_VERSION`` exports: references instead of ids inside
``searchSourceJSON``/``panelsJSON``, JSON-in-string attributes, and the
``migrationVersion`` of the newest migration each type has in that release (so
Dashboards imports them as they are, without migrating).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from importlib import resources
from typing import Any

from . import DASHBOARDS_VERSION
from .panels import DASHBOARDS, Dashboard, DateHistogram, Filters, Metric, Panel, Terms, all_panels
from .sources import APACHE, Source
from .template import is_aggregatable, load_template

NDJSON_FILE = "saved_objects.ndjson"

# The newest migration of each type in OpenSearch Dashboards 2.x
# (src/plugins/*/server/saved_objects/*_migrations.ts).
MIGRATION_VERSIONS = {
    "index-pattern": "7.6.0",
    "visualization": "7.10.0",
    "dashboard": "7.9.3",
    "search": "7.9.3",
}
INDEX_REF_NAME = "kibanaSavedObjectMeta.searchSourceJSON.index"

# OpenSearch field type -> OpenSearch Dashboards field type (index-pattern `fields`).
_OSD_TYPES = {
    "text": "string", "keyword": "string", "match_only_text": "string",
    "long": "number", "integer": "number", "short": "number", "byte": "number",
    "double": "number", "float": "number", "half_float": "number",
    "scaled_float": "number", "unsigned_long": "number",
    "date": "date", "date_nanos": "date", "ip": "ip", "boolean": "boolean",
    "geo_point": "geo_point",
}
_META_FIELDS = [
    # name, OSD type, OpenSearch type, searchable, aggregatable
    ("_id", "string", "_id", True, True),
    ("_index", "string", "_index", True, True),
    ("_score", "number", "_score", False, False),
    ("_source", "_source", "_source", False, False),
    ("_type", "string", "_type", True, True),
]


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def index_pattern_fields(template: dict[str, Any] | None = None,
                         source: Source = APACHE) -> list[dict[str, Any]]:
    """The index pattern's field list, derived from the index template (or the source's mapping)."""
    fields = [
        {"name": name, "type": osd_type, "esTypes": [es_type], "count": 0, "scripted": False,
         "searchable": searchable, "aggregatable": aggregatable, "readFromDocValues": False}
        for name, osd_type, es_type, searchable, aggregatable in _META_FIELDS
    ]
    types = source.field_types(template)
    for name, es_type in sorted(types.items()):
        spec: dict[str, Any] = {
            "name": name, "type": _OSD_TYPES.get(es_type, "unknown"), "esTypes": [es_type],
            "count": 0, "scripted": False, "searchable": True,
            "aggregatable": is_aggregatable(es_type),
            "readFromDocValues": is_aggregatable(es_type),
        }
        parent = name.rpartition(".")[0]
        if parent in types:  # a multi-field such as request.keyword
            spec["subType"] = {"multi": {"parent": parent}}
        fields.append(spec)
    return fields


def index_pattern_object(template: dict[str, Any] | None = None,
                         source: Source = APACHE) -> dict[str, Any]:
    """A source's index pattern (the lab's: fixed id, ``apache*``, time field ``@timestamp``)."""
    return {
        "id": source.id,
        "type": "index-pattern",
        "attributes": {
            "title": source.title,
            "timeFieldName": source.time_field,
            "fields": _dumps(index_pattern_fields(template, source)),
            "fieldFormatMap": _dumps(source.field_formats),
        },
        "references": [],
        "migrationVersion": {"index-pattern": MIGRATION_VERSIONS["index-pattern"]},
    }


def _metric_agg(agg_id: str, metric: Metric) -> dict[str, Any]:
    params: dict[str, Any] = {}
    if metric.agg in ("cardinality", "sum"):
        params["field"] = metric.field
    if metric.label and metric.label != "Count":
        params["customLabel"] = metric.label
    return {"id": agg_id, "enabled": True, "type": metric.agg, "schema": "metric",
            "params": params}


def _bucket_agg(agg_id: str, bucket: Terms | Filters | DateHistogram, schema: str) -> dict[str, Any]:
    if isinstance(bucket, Terms):
        params: dict[str, Any] = {
            "field": bucket.field, "orderBy": "1", "order": "desc", "size": bucket.size,
            "otherBucket": False, "otherBucketLabel": "Other",
            "missingBucket": False, "missingBucketLabel": "Missing",
        }
        kind = "terms"
    elif isinstance(bucket, Filters):
        params = {"filters": [{"input": {"query": query, "language": "lucene"}, "label": label}
                              for label, query in bucket.filters]}
        kind = "filters"
    else:
        params = {"field": bucket.field, "useNormalizedOpenSearchInterval": True,
                  "scaleMetricValues": False, "interval": bucket.interval, "drop_partials": False,
                  "min_doc_count": 1, "extended_bounds": {}}
        kind = "date_histogram"
    if bucket.label:
        params["customLabel"] = bucket.label
    return {"id": agg_id, "enabled": True, "type": kind, "schema": schema, "params": params}


def _xy_params(panel: Panel) -> dict[str, Any]:
    horizontal = panel.chart == "horizontal_bar"
    series_type = "line" if panel.chart == "line" else "histogram"
    return {
        "type": panel.chart,
        "grid": {"categoryLines": False},
        "categoryAxes": [{
            "id": "CategoryAxis-1", "type": "category",
            "position": "left" if horizontal else "bottom", "show": True, "style": {},
            "scale": {"type": "linear"}, "labels": {"show": True, "filter": not horizontal,
                                                    "truncate": 200 if horizontal else 100},
            "title": {},
        }],
        "valueAxes": [{
            "id": "ValueAxis-1", "name": "LeftAxis-1", "type": "value",
            "position": "bottom" if horizontal else "left", "show": True, "style": {},
            "scale": {"type": "linear", "mode": "normal"},
            "labels": {"show": True, "rotate": 0, "filter": False, "truncate": 100},
            "title": {"text": panel.metrics[0].label},
        }],
        "seriesParams": [{
            "show": True, "type": series_type,
            "mode": "stacked" if series_type == "histogram" else "normal",
            "data": {"label": m.label, "id": str(i + 1)}, "valueAxis": "ValueAxis-1",
            "drawLinesBetweenPoints": True, "lineWidth": 2, "showCircles": True,
        } for i, m in enumerate(panel.metrics)],
        "addTooltip": True, "addLegend": True, "legendPosition": "right",
        "times": [], "addTimeMarker": False, "labels": {"show": False},
        "thresholdLine": {"show": False, "value": 10, "width": 1, "style": "full",
                          "color": "#E7664C"},
    }


def vis_params(panel: Panel) -> dict[str, Any]:
    """The ``visState.params`` Dashboards expects for the panel's chart kind."""
    if panel.chart == "pie":
        return {"type": "pie", "addTooltip": True, "addLegend": True, "legendPosition": "right",
                "isDonut": True,
                "labels": {"show": True, "values": True, "last_level": True, "truncate": 100}}
    if panel.chart == "table":
        return {"perPage": 20, "showPartialRows": False, "showMetricsAtAllLevels": False,
                "sort": {"columnIndex": None, "direction": None}, "showTotal": False,
                "totalFunc": "sum", "percentageCol": ""}
    if panel.chart == "metric":
        return {"addTooltip": True, "addLegend": False, "type": "metric",
                "metric": {"percentageMode": False, "useRanges": False,
                           "colorSchema": "Green to Red", "metricColorMode": "None",
                           "colorsRange": [{"from": 0, "to": 10000}], "labels": {"show": True},
                           "invertColors": False,
                           "style": {"bgFill": "#000", "bgColor": False, "labelColor": False,
                                     "subText": "", "fontSize": 60}}}
    return _xy_params(panel)


# Dashboards' vis type names; our "bar" is a vertical bar chart, i.e. "histogram".
_VIS_TYPES = {"bar": "histogram"}


def vis_state(panel: Panel) -> dict[str, Any]:
    """The panel's ``visState``: vis type, params and aggs (metrics, then split, then x)."""
    aggs = [_metric_agg(str(i + 1), m) for i, m in enumerate(panel.metrics)]
    x_schema = {"pie": "segment", "table": "bucket"}.get(panel.chart, "segment")
    if panel.split is not None:
        aggs.append(_bucket_agg(str(len(aggs) + 1), panel.split, "group"))
    if panel.x is not None:
        aggs.append(_bucket_agg(str(len(aggs) + 1), panel.x, x_schema))
    vis_type = _VIS_TYPES.get(panel.chart, panel.chart)
    params = vis_params(panel)
    if "type" in params:
        params["type"] = vis_type
    return {"title": panel.title, "type": vis_type, "params": params, "aggs": aggs}


def search_source(query: str = "", with_index: bool = True) -> dict[str, Any]:
    """A ``searchSourceJSON`` body with the index moved to the references."""
    body: dict[str, Any] = {"query": {"query": query, "language": "lucene"}, "filter": []}
    if with_index:
        body["indexRefName"] = INDEX_REF_NAME
    return body


def visualization_object(panel: Panel) -> dict[str, Any]:
    """One panel as a ``visualization`` saved object."""
    return {
        "id": panel.id,
        "type": "visualization",
        "attributes": {
            "title": panel.title,
            "description": panel.description,
            "visState": _dumps(vis_state(panel)),
            "uiStateJSON": "{}",
            "version": 1,
            "kibanaSavedObjectMeta": {"searchSourceJSON": _dumps(search_source(panel.query))},
        },
        "references": [{"name": INDEX_REF_NAME, "type": "index-pattern", "id": panel.source.id}],
        "migrationVersion": {"visualization": MIGRATION_VERSIONS["visualization"]},
    }


def dashboard_object(dashboard: Dashboard) -> dict[str, Any]:
    """A dashboard with its panels referenced as ``panel_0``, ``panel_1``, ..."""
    panels, references = [], []
    for i, place in enumerate(dashboard.placements):
        index = str(i + 1)
        panels.append({
            "embeddableConfig": {},
            "gridData": {"x": place.x, "y": place.y, "w": place.w, "h": place.h, "i": index},
            "panelIndex": index,
            "version": DASHBOARDS_VERSION,
            "panelRefName": f"panel_{i}",
        })
        references.append({"name": f"panel_{i}", "type": "visualization", "id": place.panel.id})
    return {
        "id": dashboard.id,
        "type": "dashboard",
        "attributes": {
            "title": dashboard.title,
            "hits": 0,
            "description": dashboard.description,
            "panelsJSON": _dumps(panels),
            "optionsJSON": _dumps({"hidePanelTitles": False, "useMargins": True}),
            "version": 1,
            "timeRestore": True,
            "timeFrom": dashboard.time_from,
            "timeTo": dashboard.time_to,
            "refreshInterval": {"pause": False, "value": dashboard.refresh_ms},
            "kibanaSavedObjectMeta": {
                "searchSourceJSON": _dumps(search_source(dashboard.query, with_index=False)),
            },
        },
        "references": references,
        "migrationVersion": {"dashboard": MIGRATION_VERSIONS["dashboard"]},
    }


def build_objects(template: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """All the lab's saved objects: index patterns, visualizations, then dashboards."""
    template = template or load_template()
    sources = list(dict.fromkeys(d.source for d in DASHBOARDS))
    objects = [index_pattern_object(template, source) for source in sources]
    objects += [visualization_object(p) for p in all_panels()]
    objects += [dashboard_object(d) for d in DASHBOARDS]
    return objects


def to_ndjson(objects: Iterable[dict[str, Any]]) -> str:
    """One JSON object per line (keys sorted, so the file diffs well)."""
    return "".join(json.dumps(o, sort_keys=True, ensure_ascii=False) + "\n" for o in objects)


class NdjsonError(ValueError):
    """A line of an export file that is not a saved object; the message names the line."""


def parse_ndjson(text: str) -> list[dict[str, Any]]:
    """Objects of an NDJSON export; blank lines and the export summary line are skipped."""
    objects = []
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except ValueError as exc:
            raise NdjsonError(f"Unexpected token in JSON at line {number}: {exc}") from exc
        if isinstance(obj, dict) and "exportedCount" in obj and "type" not in obj:
            continue
        if not isinstance(obj, dict) or not isinstance(obj.get("type"), str) or "id" not in obj:
            raise NdjsonError(f"line {number} is not a saved object")
        objects.append(obj)
    return objects


def replaced_by(objects: list[dict[str, Any]], more: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[str]]:
    """`objects` with `more` added, an object of `more` replacing the one of the same type and
    id in place (one import file may not hold an object twice: Dashboards refuses the whole
    file as "Non-unique import objects"); also the `type:id` of each object replaced."""
    merged = {(o["type"], o["id"]): o for o in objects}
    replaced = [f"{o['type']}:{o['id']}" for o in more if (o["type"], o["id"]) in merged]
    for o in more:
        merged[(o["type"], o["id"])] = o
    return list(merged.values()), replaced


def bundled_ndjson() -> str:
    """The committed ``saved_objects.ndjson`` (regenerate with ``python -m kibana_dashboards build``)."""
    return resources.files(__package__).joinpath(NDJSON_FILE).read_text("utf-8")


# --- inspecting objects (used by convert-legacy's warnings and by the tests) --

_QUERY_FIELD = re.compile(r"(?<![\w.@\\-])([@A-Za-z_][\w.@-]*)\s*:")
_QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"')


def lucene_fields(query: str) -> set[str]:
    """Field names a Lucene query string names (``field:value``)."""
    return set(_QUERY_FIELD.findall(_QUOTED.sub('""', query or "")))


def _search_source_fields(source: dict[str, Any]) -> set[str]:
    fields: set[str] = set()
    query = source.get("query")
    if isinstance(query, dict) and isinstance(query.get("query"), str):
        fields |= lucene_fields(query["query"])
    for flt in source.get("filter", []) or []:
        key = (flt.get("meta") or {}).get("key")
        if key:
            fields.add(key)
    return fields


def fields_used(obj: dict[str, Any]) -> set[str]:
    """Fields a saved object aggregates or filters on (visState aggs, queries, filters)."""
    attributes = obj.get("attributes", {})
    fields: set[str] = set()
    vis = attributes.get("visState")
    if vis:
        for agg in json.loads(vis).get("aggs", []):
            params = agg.get("params", {})
            if isinstance(params.get("field"), str):
                fields.add(params["field"])
            for flt in params.get("filters", []) or []:
                fields |= lucene_fields((flt.get("input") or {}).get("query", ""))
    source = (attributes.get("kibanaSavedObjectMeta") or {}).get("searchSourceJSON")
    if source:
        fields |= _search_source_fields(json.loads(source))
    return fields


def unresolved_references(objects: list[dict[str, Any]],
                          known: Iterable[tuple[str, str]] = ()) -> list[dict[str, str]]:
    """References whose (type, id) is neither among ``objects`` nor in ``known``."""
    present = {(o["type"], o["id"]) for o in objects} | set(known)
    return [dict(ref, source=o["id"]) for o in objects for ref in o.get("references", [])
            if (ref["type"], ref["id"]) not in present]
