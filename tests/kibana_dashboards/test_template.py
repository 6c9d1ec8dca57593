"""The index template: ETL contract fields, workshop-compatible names, OpenSearch acceptance."""

from __future__ import annotations

import pytest
from opensearchpy import OpenSearch

from kibana_dashboards.template import (
    field_types,
    is_aggregatable,
    legacy_template,
    load_template,
    put_template,
)

# The ETL's output contract (fixed by the lead), field -> the types dashboards rely on.
CONTRACT = {
    "host": "text", "client_ip": "ip", "ident": "text", "authuser": "text",
    "@timestamp": "date", "@timestamp_utc": "date", "timezone": "text",
    "request": "text", "verb": "text", "path": "keyword", "http_version": "keyword",
    "response": "integer", "bytes": "long", "referer": "text", "user-agent": "text",
    "username": "text", "session_id": "keyword", "page": "keyword", "category": "keyword",
    "product": "keyword", "is_bot": "boolean",
}
# The ETL's `geo` object (GeoIP), field names of OpenSearch's ingest geoip processor.
GEO = {
    "geo.continent_name": "keyword", "geo.country_iso_code": "keyword", "geo.country_name": "keyword",
    "geo.region_iso_code": "keyword", "geo.region_name": "keyword", "geo.city_name": "keyword",
    "geo.location": "geo_point", "geo.timezone": "keyword",
}


@pytest.mark.unit
def test_template_maps_every_contract_field():
    types = field_types()
    for name, expected in CONTRACT.items():
        assert types[name] == expected, name
        if expected == "text":  # the workshop's names keep an aggregatable .keyword
            assert types[f"{name}.keyword"] == "keyword"
    assert {name for name in types if "." not in name} == set(CONTRACT)
    assert {name: kind for name, kind in types.items() if name.startswith("geo.")} == GEO


@pytest.mark.unit
def test_composable_and_legacy_forms():
    template = load_template()
    assert template["index_patterns"] == ["apache*"]
    legacy = legacy_template(template)
    assert legacy["index_patterns"] == ["apache*"]
    assert legacy["mappings"] == template["template"]["mappings"]
    assert "template" not in legacy
    assert not is_aggregatable("text") and is_aggregatable("ip")


@pytest.mark.opensearch
def test_server_accepts_the_composable_template_and_applies_it(empty_opensearch):
    client = OpenSearch(hosts=[empty_opensearch])
    assert put_template(client) == "composable"
    assert put_template(client) == "composable"  # idempotent
    stored = client.indices.get_index_template(name="apache")["index_templates"][0]
    assert stored["index_template"]["index_patterns"] == ["apache*"]
    # Firehose index rotation names (apache-2016-02-25) match the pattern too.
    client.index(index="apache-2016-02-25", body={"@timestamp": "2016-02-25T13:00:00+00:00",
                                                  "client_ip": "192.0.2.1", "response": 200},
                 refresh=True)
    props = client.indices.get_mapping(index="apache-2016-02-25")[
        "apache-2016-02-25"]["mappings"]["properties"]
    assert props["client_ip"]["type"] == "ip"
    assert props["request"]["fields"]["keyword"]["type"] == "keyword"


@pytest.mark.opensearch
def test_legacy_template_form_is_accepted_too(empty_opensearch):
    client = OpenSearch(hosts=[empty_opensearch])
    client.indices.put_template(name="apache", body=legacy_template(load_template()))
    client.index(index="apache", body={"response": 404, "is_bot": True}, refresh=True)
    props = client.indices.get_mapping(index="apache")["apache"]["mappings"]["properties"]
    assert props["response"]["type"] == "integer"
    assert props["page"]["type"] == "keyword"


@pytest.mark.opensearch
def test_etl_documents_need_no_dynamic_mapping(filled_opensearch, etl_docs):
    """Every field the real ETL emits is mapped explicitly, with the template's type."""
    client = OpenSearch(hosts=[filled_opensearch])
    props = client.indices.get_mapping(index="apache")["apache"]["mappings"]["properties"]
    emitted = {name for doc in etl_docs for name in doc}
    template_fields = set(load_template()["template"]["mappings"]["properties"])
    assert emitted <= template_fields, f"ETL fields missing from the template: {emitted - template_fields}"
    for name in template_fields - {"geo"}:
        assert props[name]["type"] == field_types()[name], name
    emitted_geo = {name for doc in etl_docs for name in doc.get("geo", {})}
    assert emitted_geo == {name.removeprefix("geo.") for name in GEO}
    for name in emitted_geo:
        assert props["geo"]["properties"][name]["type"] == GEO[f"geo.{name}"], name


@pytest.mark.opensearch
def test_geo_fields_are_searchable_and_aggregatable(filled_opensearch, etl_docs):
    client = OpenSearch(hosts=[filled_opensearch])
    answer = client.search(index="apache", body={
        "size": 0, "query": {"term": {"geo.country_iso_code": "SE"}},
        "aggs": {"cities": {"terms": {"field": "geo.city_name"}}}})
    expected = sum(1 for doc in etl_docs if doc.get("geo", {}).get("country_iso_code") == "SE")
    assert expected > 0
    assert answer["hits"]["total"]["value"] == expected
    assert {b["key"]: b["doc_count"] for b in answer["aggregations"]["cities"]["buckets"]} == {
        "Linköping": expected}
