"""Kibana 6.x JSON exports -> NDJSON that OpenSearch Dashboards imports.

Kibana 6.x exported a JSON array of ``{"_id", "_type", "_source"}`` (the
workshop's ``clickstream_kibana.json`` is one) and kept object ids inside the
objects: ``searchSourceJSON.index``, filter ``meta.index``, ``savedSearchId``,
input-control ``indexPattern`` and each dashboard panel's ``id``/``type``.
Kibana 7+ and Dashboards expect those ids in ``references`` instead; this
module does that move (the same way Kibana's 7.0.0 migration does) and points
index-pattern ids the export does not contain at the lab's index pattern.

Converted objects carry no ``migrationVersion``, so Dashboards runs every
later migration on import (6.x panel layout, match_all queries, ...); the
reference move above is idempotent with Dashboards' own 7.0.0 migration.
"""

from __future__ import annotations

import copy
import json
import logging
from typing import Any

from . import INDEX_PATTERN_ID
from .saved_objects import INDEX_REF_NAME, fields_used
from .template import field_types, is_aggregatable

log = logging.getLogger(__name__)


def _legacy_items(export: Any) -> list[dict[str, Any]]:
    """Normalise both 6.x export shapes to ``{"id", "type", "attributes"}`` dicts."""
    if isinstance(export, dict) and isinstance(export.get("objects"), list):
        items = export["objects"]  # the 6.x dashboards API export ({"version", "objects"})
        return [{"id": o["id"], "type": o["type"], "attributes": o.get("attributes", {})}
                for o in items]
    if isinstance(export, list):
        return [{"id": o["_id"], "type": o["_type"], "attributes": o.get("_source", {})}
                for o in export]
    raise ValueError("not a Kibana 6.x export: expected a JSON array of {_id, _type, _source}")


class _Converter:
    def __init__(self, contained: set[tuple[str, str]], index_pattern_id: str) -> None:
        self.contained = contained
        self.index_pattern_id = index_pattern_id
        self.remapped: dict[str, str] = {}

    def pattern(self, old_id: str) -> str:
        """An index-pattern id, pointed at the lab's when the export lacks it."""
        if ("index-pattern", old_id) in self.contained:
            return old_id
        if old_id != self.index_pattern_id and old_id not in self.remapped:
            log.info("index pattern %s is not in the export: using %s", old_id,
                     self.index_pattern_id)
        self.remapped[old_id] = self.index_pattern_id
        return self.index_pattern_id

    def search_source(self, attributes: dict[str, Any], refs: list[dict[str, str]]) -> None:
        meta = attributes.get("kibanaSavedObjectMeta") or {}
        raw = meta.get("searchSourceJSON")
        if not isinstance(raw, str) or not raw.strip():
            return
        source = json.loads(raw)
        if source.get("index"):
            refs.append({"name": INDEX_REF_NAME, "type": "index-pattern",
                         "id": self.pattern(source.pop("index"))})
            source["indexRefName"] = INDEX_REF_NAME
        for i, flt in enumerate(source.get("filter") or []):
            flt_meta = flt.get("meta") or {}
            if flt_meta.get("index"):
                name = f"kibanaSavedObjectMeta.searchSourceJSON.filter[{i}].meta.index"
                refs.append({"name": name, "type": "index-pattern",
                             "id": self.pattern(flt_meta.pop("index"))})
                flt_meta["indexRefName"] = name
        meta["searchSourceJSON"] = json.dumps(source, separators=(",", ":"))

    def visualization(self, attributes: dict[str, Any], refs: list[dict[str, str]]) -> None:
        saved_search = attributes.pop("savedSearchId", None)
        if saved_search:
            refs.append({"name": "search_0", "type": "search", "id": saved_search})
            attributes["savedSearchRefName"] = "search_0"
        vis_raw = attributes.get("visState")
        if not isinstance(vis_raw, str):
            return
        vis = json.loads(vis_raw)
        controls = (vis.get("params") or {}).get("controls") or []
        for i, control in enumerate(controls):
            if control.get("indexPattern"):
                name = f"control_{i}_index_pattern"
                refs.append({"name": name, "type": "index-pattern",
                             "id": self.pattern(control.pop("indexPattern"))})
                control["indexPatternRefName"] = name
        if controls:
            attributes["visState"] = json.dumps(vis, separators=(",", ":"))

    def dashboard(self, attributes: dict[str, Any], refs: list[dict[str, str]]) -> None:
        raw = attributes.get("panelsJSON")
        if not isinstance(raw, str):
            return
        panels = json.loads(raw)
        for i, panel in enumerate(panels):
            if panel.get("id") and panel.get("type"):
                refs.append({"name": f"panel_{i}", "type": panel.pop("type"),
                             "id": panel.pop("id")})
                panel["panelRefName"] = f"panel_{i}"
        attributes["panelsJSON"] = json.dumps(panels, separators=(",", ":"))


def convert(export: Any, index_pattern_id: str = INDEX_PATTERN_ID) -> list[dict[str, Any]]:
    """Kibana 6.x export (parsed JSON) -> saved objects ready for NDJSON import."""
    items = _legacy_items(export)
    converter = _Converter({(o["type"], o["id"]) for o in items}, index_pattern_id)
    objects = []
    for item in items:
        attributes = copy.deepcopy(item["attributes"])
        refs: list[dict[str, str]] = []
        converter.search_source(attributes, refs)
        if item["type"] == "visualization":
            converter.visualization(attributes, refs)
        elif item["type"] == "dashboard":
            converter.dashboard(attributes, refs)
        objects.append({"id": item["id"], "type": item["type"], "attributes": attributes,
                        "references": refs})
    log.info("converted %d objects (%s)", len(objects),
             ", ".join(f"{n} {t}" for t, n in _count_types(objects).items()))
    return objects


def _count_types(objects: list[dict[str, Any]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for obj in objects:
        counts[obj["type"]] = counts.get(obj["type"], 0) + 1
    return counts


def field_warnings(objects: list[dict[str, Any]]) -> list[str]:
    """Fields the objects use that the lab's index template lacks or cannot aggregate on."""
    types = field_types()
    warnings = []
    for obj in objects:
        for name in sorted(fields_used(obj)):
            if name not in types:
                warnings.append(f"{obj['type']} {obj['id']}: field {name!r} is not in the "
                                "lab's index template")
            elif not is_aggregatable(types[name]) and obj["type"] == "visualization":
                warnings.append(f"{obj['type']} {obj['id']}: field {name!r} is "
                                f"{types[name]}, not aggregatable")
    return warnings
