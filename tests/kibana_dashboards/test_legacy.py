"""convert-legacy: the workshop's Kibana 6.3.1 export becomes importable NDJSON."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from kibana_dashboards import INDEX_PATTERN_ID
from kibana_dashboards.legacy import convert, field_warnings
from kibana_dashboards.saved_objects import parse_ndjson

from .conftest import WORKSHOP_EXPORT
from .test_saved_objects import check_objects

pytestmark = pytest.mark.unit

WORKSHOP_PATTERN = "593985b0-e3c3-11e8-bf67-e7c46fbb018b"


def test_workshop_export_passes_the_same_checks(workshop_export, schema_for):
    objects = convert(workshop_export)
    assert [o["type"] for o in objects].count("visualization") == 5
    check_objects(objects, schema_for, known=[("index-pattern", INDEX_PATTERN_ID)])
    assert field_warnings(objects) == []


def test_index_ids_move_to_references(workshop_export):
    objects = {o["id"]: o for o in convert(workshop_export)}
    pie = objects["ba793180-e3c4-11e8-bf67-e7c46fbb018b"]
    source = json.loads(pie["attributes"]["kibanaSavedObjectMeta"]["searchSourceJSON"])
    assert "index" not in source
    assert source["indexRefName"] == "kibanaSavedObjectMeta.searchSourceJSON.index"
    assert pie["references"] == [{"name": "kibanaSavedObjectMeta.searchSourceJSON.index",
                                  "type": "index-pattern", "id": INDEX_PATTERN_ID}]
    assert "migrationVersion" not in pie  # Dashboards runs the 6.x -> 7.x migrations on import

    dashboard = objects["06d14d50-e3c6-11e8-bf67-e7c46fbb018b"]
    panels = json.loads(dashboard["attributes"]["panelsJSON"])
    legacy_panels = json.loads(next(o for o in workshop_export if o["_type"] == "dashboard")
                               ["_source"]["panelsJSON"])
    refs = {r["name"]: r for r in dashboard["references"]}
    for panel, legacy in zip(panels, legacy_panels):
        assert "id" not in panel and "type" not in panel
        assert refs[panel["panelRefName"]] == {"name": panel["panelRefName"],
                                               "type": "visualization", "id": legacy["id"]}
        assert panel["gridData"] == legacy["gridData"]
    assert dashboard["attributes"]["refreshInterval"]["value"] == 5000


def test_missing_pattern_goes_to_the_chosen_id_but_contained_ones_stay(workshop_export):
    objects = convert(workshop_export, index_pattern_id="my-pattern")
    assert {r["id"] for o in objects for r in o["references"] if r["type"] == "index-pattern"} \
        == {"my-pattern"}
    with_pattern = workshop_export + [{"_id": WORKSHOP_PATTERN, "_type": "index-pattern",
                                       "_source": {"title": "apache", "timeFieldName": "@timestamp"}}]
    objects = convert(with_pattern, index_pattern_id="my-pattern")
    assert {r["id"] for o in objects for r in o["references"] if r["type"] == "index-pattern"} \
        == {WORKSHOP_PATTERN}


def test_filters_saved_searches_and_controls_are_referenced(schema_for):
    export = [
        {"_id": "s1", "_type": "search", "_source": {
            "title": "errors", "columns": ["request"], "sort": ["@timestamp", "desc"],
            "kibanaSavedObjectMeta": {"searchSourceJSON": json.dumps({
                "index": "old", "query": {"query": "response:>=400", "language": "lucene"},
                "filter": [{"meta": {"index": "old", "key": "verb.keyword"},
                            "query": {"match": {"verb.keyword": "GET"}}}]})}}},
        {"_id": "v1", "_type": "visualization", "_source": {
            "title": "from search", "savedSearchId": "s1", "uiStateJSON": "{}",
            "visState": json.dumps({"type": "input_control_vis", "params": {"controls": [
                {"id": "1", "indexPattern": "old", "fieldName": "page"}]}, "aggs": []}),
            "kibanaSavedObjectMeta": {"searchSourceJSON": "{}"}}},
    ]
    objects = {o["id"]: o for o in convert(export)}
    search, vis = objects["s1"], objects["v1"]
    source = json.loads(search["attributes"]["kibanaSavedObjectMeta"]["searchSourceJSON"])
    assert source["filter"][0]["meta"] == {
        "key": "verb.keyword",
        "indexRefName": "kibanaSavedObjectMeta.searchSourceJSON.filter[0].meta.index"}
    assert {r["name"] for r in search["references"]} == {
        "kibanaSavedObjectMeta.searchSourceJSON.index",
        "kibanaSavedObjectMeta.searchSourceJSON.filter[0].meta.index"}
    assert vis["attributes"]["savedSearchRefName"] == "search_0"
    assert "savedSearchId" not in vis["attributes"]
    assert {"name": "search_0", "type": "search", "id": "s1"} in vis["references"]
    control = json.loads(vis["attributes"]["visState"])["params"]["controls"][0]
    assert control["indexPatternRefName"] == "control_0_index_pattern" and "indexPattern" not in control
    check_objects(list(objects.values()), schema_for, known=[("index-pattern", INDEX_PATTERN_ID)])


def test_field_warnings_name_fields_the_template_lacks():
    export = [{"_id": "v", "_type": "visualization", "_source": {
        "title": "t", "uiStateJSON": "{}",
        "visState": json.dumps({"type": "pie", "params": {}, "aggs": [
            {"id": "1", "enabled": True, "type": "terms", "schema": "segment",
             "params": {"field": "geoip.country"}},
            {"id": "2", "enabled": True, "type": "terms", "schema": "segment",
             "params": {"field": "request"}}]}),
        "kibanaSavedObjectMeta": {"searchSourceJSON": "{}"}}}]
    warnings = field_warnings(convert(export))
    assert any("geoip.country" in w and "not in" in w for w in warnings)
    assert any("'request'" in w and "not aggregatable" in w for w in warnings)


def test_rejects_what_is_not_a_legacy_export():
    with pytest.raises(ValueError):
        convert({"attributes": {}})


def test_cli_writes_ndjson(tmp_path, workshop_export):
    out = tmp_path / "workshop.ndjson"
    done = subprocess.run([sys.executable, "-m", "kibana_dashboards", "convert-legacy",
                           str(WORKSHOP_EXPORT), "-o", str(out)],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    objects = parse_ndjson(out.read_text())
    assert len(objects) == len(workshop_export)
    assert all(len(line) and json.loads(line) for line in out.read_text().splitlines())
