"""The bundled saved objects: schema of the pinned Dashboards, fields, references."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kibana_dashboards import INDEX_PATTERN_ID, TIME_FIELD
from kibana_dashboards.panels import (
    CLICKSTREAM,
    DASHBOARDS,
    REQUESTS_PER_CLIENT,
    SHOP_INSIGHTS,
    STREAMING_SQL,
)
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
from kibana_dashboards.sources import WEB_ACCESS_COUNTS, WEB_ACCESS_COUNTS_MAPPING
from kibana_dashboards.template import field_types, is_aggregatable

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def objects():
    return parse_ndjson(bundled_ndjson())


def pattern_fields(objects):
    """Index pattern id -> {field name: aggregatable}, from the index patterns among ``objects``."""
    return {o["id"]: {f["name"]: f["aggregatable"] for f in json.loads(o["attributes"]["fields"])}
            for o in objects if o["type"] == "index-pattern"}


def check_objects(objects, schema_for, known=()):
    """The acceptance checks shared with the legacy conversion tests: each object's fields
    exist and aggregate in the index pattern it references (the template's for patterns
    not among ``objects``)."""
    template = {name: is_aggregatable(kind) for name, kind in field_types().items()}
    patterns = pattern_fields(objects)
    for obj in objects:
        errors = sorted(schema_for[obj["type"]].iter_errors(obj), key=str)
        assert not errors, f"{obj['type']} {obj['id']}: " + "; ".join(e.message for e in errors)
        pattern = next((r["id"] for r in obj["references"] if r["type"] == "index-pattern"), None)
        fields = patterns.get(pattern, template)
        for name in fields_used(obj):
            assert name in fields, f"{obj['id']} uses {name!r}, not in index pattern {pattern}"
            assert fields[name], f"{obj['id']} aggregates on {name!r}, not aggregatable"
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
    pattern = next(o for o in objects if o["id"] == INDEX_PATTERN_ID)
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
    assert set(dash) == {"Clickstream Dashboard", "Unicorn Shop Insights",
                         "Streaming SQL: requests per client per 10 s"}
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


def test_streaming_sql_dashboard_reads_the_applications_index(objects):
    """Index pattern `web-access-counts` on WINDOW_END (the mapping provisioning creates), a
    date histogram of summed REQUEST_COUNT per 10 s split by the top CLIENT_IPs, no map."""
    pattern = next(o for o in objects if o["id"] == WEB_ACCESS_COUNTS.id)
    assert pattern["type"] == "index-pattern"
    assert pattern["attributes"]["title"] == "web-access-counts"
    assert pattern["attributes"]["timeFieldName"] == "WINDOW_END"
    fields = {f["name"]: f for f in json.loads(pattern["attributes"]["fields"])}
    assert (fields["WINDOW_END"]["type"], fields["CLIENT_IP"]["type"],
            fields["REQUEST_COUNT"]["type"]) == ("date", "string", "number")
    mapping = WEB_ACCESS_COUNTS_MAPPING["mappings"]["properties"]
    assert {n for n in fields if not n.startswith("_")} == set(mapping)

    dash = next(o for o in objects if o["id"] == STREAMING_SQL.id)
    assert dash["attributes"]["title"] == "Streaming SQL: requests per client per 10 s"
    vis_ids = {r["id"] for r in dash["references"]}
    for vis_id in vis_ids:
        vis = next(o for o in objects if o["id"] == vis_id)
        assert vis["references"] == [{"name": "kibanaSavedObjectMeta.searchSourceJSON.index",
                                      "type": "index-pattern", "id": WEB_ACCESS_COUNTS.id}]
        assert json.loads(vis["attributes"]["visState"])["type"] not in ("tile_map", "region_map")
    histogram = _vis(objects, REQUESTS_PER_CLIENT.id)
    aggs = {a["schema"]: a for a in histogram["aggs"]}
    assert histogram["type"] == "histogram"
    assert (aggs["metric"]["type"], aggs["metric"]["params"]["field"]) == ("sum", "REQUEST_COUNT")
    assert (aggs["segment"]["type"], aggs["segment"]["params"]["field"],
            aggs["segment"]["params"]["interval"]) == ("date_histogram", "WINDOW_END", "10s")
    assert (aggs["group"]["type"], aggs["group"]["params"]["field"],
            aggs["group"]["params"]["orderBy"]) == ("terms", "CLIENT_IP", "1")


def test_a_field_missing_from_its_index_pattern_is_caught(objects, schema_for):
    """check_objects looks fields up in the pattern a visualization references."""
    vis = json.loads(json.dumps(next(o for o in objects if o["id"] == REQUESTS_PER_CLIENT.id)))
    vis["references"][0]["id"] = INDEX_PATTERN_ID  # its fields are not apache* fields
    patterns = [o for o in objects if o["type"] == "index-pattern"]
    with pytest.raises(AssertionError, match="not in index pattern clickstream-apache"):
        check_objects([*patterns, vis], schema_for)
