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


@pytest.mark.unit
def test_template_maps_every_contract_field():
    types = field_types()
    for name, expected in CONTRACT.items():
        assert types[name] == expected, name
        if expected == "text":  # the workshop's names keep an aggregatable .keyword
            assert types[f"{name}.keyword"] == "keyword"
    assert {name for name in types if "." not in name} == set(CONTRACT)


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
    for name in template_fields:
        assert props[name]["type"] == field_types()[name], name
