"""The bundled saved objects: schema of the pinned Dashboards, fields, references."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kibana_dashboards import INDEX_PATTERN_ID, TIME_FIELD
from kibana_dashboards.panels import CLICKSTREAM, DASHBOARDS, SHOP_INSIGHTS
from kibana_dashboards.saved_objects import (
    build_objects,
    bundled_ndjson,
    fields_used,
    index_pattern_fields,
    lucene_fields,
    parse_ndjson,
    to_ndjson,
    unresolved_references,
)
from kibana_dashboards.template import field_types, is_aggregatable

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def objects():
    return parse_ndjson(bundled_ndjson())


def check_objects(objects, schema_for, known=()):
    """The acceptance checks shared with the legacy conversion tests."""
    types = field_types()
    for obj in objects:
        errors = sorted(schema_for[obj["type"]].iter_errors(obj), key=str)
        assert not errors, f"{obj['type']} {obj['id']}: " + "; ".join(e.message for e in errors)
        for name in fields_used(obj):
            assert name in types, f"{obj['id']} uses {name!r}, not in the index template"
            assert is_aggregatable(types[name]), f"{obj['id']} aggregates on {name!r} ({types[name]})"
        names = {r["name"] for r in obj["references"]}
        source = json.loads(obj["attributes"].get("kibanaSavedObjectMeta", {})
                            .get("searchSourceJSON", "{}"))
        if "indexRefName" in source:
            assert source["indexRefName"] in names, f"{obj['id']}: indexRefName without reference"
        for panel in json.loads(obj["attributes"].get("panelsJSON", "[]")):
            assert panel["panelRefName"] in names, f"{obj['id']}: {panel['panelRefName']} dangling"
    assert unresolved_references(objects, known) == []
    ids = [(o["type"], o["id"]) for o in objects]
    assert len(ids) == len(set(ids)), "duplicate saved object ids"


def test_bundled_objects_pass_the_schemas_and_field_checks(objects, schema_for):
    check_objects(objects, schema_for)
    assert {o["type"] for o in objects} == {"index-pattern", "visualization", "dashboard"}


def test_bundled_file_is_up_to_date_with_panels_py():
    assert bundled_ndjson() == to_ndjson(build_objects()), \
        "run `python -m kibana_dashboards build` after changing panels.py or the template"


def test_schema_rejects_what_dashboards_would_not_import(objects, schema_for):
    vis = json.loads(json.dumps(next(o for o in objects if o["type"] == "visualization")))
    vis["attributes"]["visState"] = vis["attributes"]["visState"][:-1]  # broken JSON
    assert list(schema_for["visualization"].iter_errors(vis))
    dash = json.loads(json.dumps(next(o for o in objects if o["type"] == "dashboard")))
    panels = json.loads(dash["attributes"]["panelsJSON"])
    panels[0]["id"] = "some-vis"  # a 6.x panel: id inline instead of a reference
    dash["attributes"]["panelsJSON"] = json.dumps(panels)
    assert list(schema_for["dashboard"].iter_errors(dash))
    vis = json.loads(json.dumps(next(o for o in objects if o["type"] == "visualization")))
    vis["attributes"]["kibanaSavedObjectMeta"]["searchSourceJSON"] = json.dumps({"index": "x"})
    assert list(schema_for["visualization"].iter_errors(vis))


def test_index_pattern_is_the_labs(objects):
    pattern = next(o for o in objects if o["type"] == "index-pattern")
    assert pattern["id"] == INDEX_PATTERN_ID
    assert pattern["attributes"]["title"] in ("apache*", "apache")
    assert pattern["attributes"]["timeFieldName"] == TIME_FIELD
    fields = {f["name"]: f for f in json.loads(pattern["attributes"]["fields"])}
    assert fields["request"]["aggregatable"] is False
    assert fields["request.keyword"]["aggregatable"] is True
    assert fields["request.keyword"]["subType"] == {"multi": {"parent": "request"}}
    assert fields["client_ip"]["type"] == "ip"
    assert fields["response"]["type"] == "number"
    assert fields["@timestamp"]["type"] == "date"
    assert len(index_pattern_fields()) == len(fields)


def _vis(objects, vis_id):
    obj = next(o for o in objects if o["id"] == vis_id)
    return json.loads(obj["attributes"]["visState"])


def test_the_workshops_five_visualizations(objects, workshop_export):
    """Same ids, titles, vis types and agg fields as the workshop's export."""
    for legacy in (o for o in workshop_export if o["_type"] == "visualization"):
        theirs = json.loads(legacy["_source"]["visState"])
        ours = _vis(objects, legacy["_id"])
        assert ours["title"] == theirs["title"]
        assert ours["type"] == theirs["type"]
        fields = lambda v: sorted(a["params"].get("field", "") for a in v["aggs"] if a["enabled"])
        assert fields(ours) == fields(theirs), ours["title"]
        sizes = lambda v: sorted(a["params"].get("size", 0) for a in v["aggs"] if a["enabled"])
        assert sizes(ours) == sizes(theirs), ours["title"]


def test_dashboards_time_range_and_refresh(objects):
    dash = {o["attributes"]["title"]: o for o in objects if o["type"] == "dashboard"}
    assert set(dash) == {"Clickstream Dashboard", "Unicorn Shop Insights"}
    workshop = dash["Clickstream Dashboard"]["attributes"]
    assert (workshop["timeFrom"], workshop["timeTo"]) == ("now-1h", "now")
    assert workshop["refreshInterval"] == {"pause": False, "value": 5000}
    assert workshop["timeRestore"] is True
    assert len(dash["Clickstream Dashboard"]["references"]) == 5
    for dashboard in DASHBOARDS:
        refs = {r["id"] for r in next(o for o in objects if o["id"] == dashboard.id)["references"]}
        assert refs == {p.id for p in dashboard.panels}


def test_shop_insights_cover_the_shop_owners_questions():
    fields = set()
    for obj in build_objects():
        if any(obj["id"] == p.id for p in SHOP_INSIGHTS.panels):
            fields |= fields_used(obj)
    for needed in ("page", "product", "username.keyword", "session_id", "is_bot", "response",
                   "host.keyword"):
        assert needed in fields, needed
    assert not {p.id for p in CLICKSTREAM.panels} & {p.id for p in SHOP_INSIGHTS.panels}


@pytest.mark.parametrize("query, expected", [
    ("", set()),
    ("NOT username.keyword:anonymous", {"username.keyword"}),
    ('response:[400 TO 499] AND user-agent:"a:b"', {"response", "user-agent"}),
    ("@timestamp:>now-1h OR is_bot:true", {"@timestamp", "is_bot"}),
])
def test_lucene_fields(query, expected):
    assert lucene_fields(query) == expected


def test_bundled_file_is_in_the_package_data():
    assert Path(__file__).resolve().parents[2].joinpath(
        "kibana_dashboards", "saved_objects.ndjson").exists()


def test_lab_objects_carry_the_pinned_versions(objects):
    """As Dashboards 2.19 exports them: newest migrationVersion per type, panel version."""
    from kibana_dashboards import DASHBOARDS_VERSION
    from kibana_dashboards.saved_objects import MIGRATION_VERSIONS

    for obj in objects:
        assert obj["migrationVersion"] == {obj["type"]: MIGRATION_VERSIONS[obj["type"]]}
        for panel in json.loads(obj["attributes"].get("panelsJSON", "[]")):
            assert panel["version"] == DASHBOARDS_VERSION
