"""What a team's test reads from the lab, and how it starts from empty: the index's documents,
the Firehose failure outputs in S3, and a dashboards export checked against the index.

Only the lab's own resources: the index `apache` and the objects under the lab's prefixes of
its backup bucket (labctl.stage_counts.prefix_name); nothing else is read or deleted.
"""
from __future__ import annotations

import base64
import gzip
import json
from pathlib import Path

import requests
from labctl import settings as lab
from labctl import stage_counts
from labctl.errors import LabError
from labctl.waiting import wait_until

FAILURE_OUTPUTS = {"processing_failed": ("processing_failed",),
                   "delivery_failed": ("opensearch_failed", "elasticsearch_failed")}


def _refresh(opensearch_url: str) -> None:
    requests.post(f"{opensearch_url}/{lab.INDEX_NAME}/_refresh", timeout=30)


def wait_indexed(opensearch_url: str, count: int, timeout: float) -> int:
    def enough() -> int:
        _refresh(opensearch_url)
        found = stage_counts.index_documents(opensearch_url) or 0
        return found if found >= count else 0

    return wait_until(enough, timeout, interval=1.0, what=f"{count} documents in the index {lab.INDEX_NAME}")


def documents(opensearch_url: str, size: int) -> list[dict]:
    _refresh(opensearch_url)
    response = requests.post(f"{opensearch_url}/{lab.INDEX_NAME}/_search", timeout=60,
                             json={"size": size, "sort": [{"timestamp": {"order": "asc",
                                                                         "unmapped_type": "date"}}]})
    if response.status_code == 404:
        return []
    response.raise_for_status()
    return [hit["_source"] for hit in response.json()["hits"]["hits"]]


def _lab_objects(s3, names: tuple[str, ...] | None = None):
    """Keys of the backup bucket's objects the lab's streams wrote (under `names`' prefixes)."""
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=lab.BACKUP_BUCKET):
        for obj in page.get("Contents", []):
            name = stage_counts.prefix_name(obj["Key"])
            if name is not None and (names is None or name in names):
                yield obj["Key"]


def failed_records(s3, output: str) -> list[dict]:
    if output not in FAILURE_OUTPUTS:
        raise LabError(f"output={output!r} must be one of {', '.join(FAILURE_OUTPUTS)}")
    records = []
    for key in _lab_objects(s3, FAILURE_OUTPUTS[output]):
        body = s3.get_object(Bucket=lab.BACKUP_BUCKET, Key=key)["Body"].read()
        if body[:2] == b"\x1f\x8b":
            body = gzip.decompress(body)
        for text in body.splitlines():
            if text.strip():
                record = json.loads(text)
                record["line"] = base64.b64decode(record.get("rawData", ""))
                record["key"] = key
                records.append(record)
    return records


def empty(opensearch_url: str, s3) -> None:
    """Delete the index and create it again (its template applies: the same mapping), and delete
    the lab's objects. Not _delete_by_query: the lab's OpenSearch has no reindex module."""
    deleted = requests.delete(f"{opensearch_url}/{lab.INDEX_NAME}", timeout=120)
    if deleted.status_code not in (200, 404):
        raise LabError(f"could not empty the index {lab.INDEX_NAME}: {deleted.status_code} {deleted.text[:200]}")
    created = requests.put(f"{opensearch_url}/{lab.INDEX_NAME}", timeout=120)
    if created.status_code != 200 and "resource_already_exists" not in created.text:
        raise LabError(f"could not create the index {lab.INDEX_NAME} again: {created.status_code} {created.text[:200]}")
    for key in list(_lab_objects(s3)):
        s3.delete_object(Bucket=lab.BACKUP_BUCKET, Key=key)


def _mapped_fields(opensearch_url: str, index: str) -> set[str]:
    """Every field (and sub-field, e.g. `request.keyword`) the indices `index` names map."""
    response = requests.get(f"{opensearch_url}/{index}/_mapping", timeout=30)
    if not response.ok:
        return set()
    fields: set[str] = set()

    def walk(properties: dict, prefix: str) -> None:
        for name, spec in properties.items():
            fields.add(prefix + name)
            walk(spec.get("properties", {}), f"{prefix}{name}.")
            walk(spec.get("fields", {}), f"{prefix}{name}.")

    for mapping in response.json().values():
        walk(mapping.get("mappings", {}).get("properties", {}), "")
    return fields


def check_dashboards(opensearch_url: str, saved_objects: Path | None) -> list[dict]:
    from kibana_dashboards import saved_objects as objects_module

    text = saved_objects.read_text() if saved_objects else objects_module.bundled_ndjson()
    source = str(saved_objects) if saved_objects else "the lab's saved_objects.ndjson"
    try:
        objects = objects_module.parse_ndjson(text)
    except ValueError as error:
        raise LabError(f"{source}: not an NDJSON export ({error})") from None
    problems = [f"{ref['source']} refers to a missing {ref['type']} {ref['id']}"
                for ref in objects_module.unresolved_references(objects)]
    patterns = {obj["id"]: obj.get("attributes", {}).get("title", "") for obj in objects
                if obj.get("type") == "index-pattern"}
    rows = []
    for obj in objects:
        if obj.get("type") != "visualization":
            continue
        title = obj.get("attributes", {}).get("title", obj.get("id"))
        index = next((patterns.get(ref["id"]) for ref in obj.get("references", [])
                      if ref.get("type") == "index-pattern"), None) or lab.INDEX_NAME
        fields = _mapped_fields(opensearch_url, index)
        missing = sorted(field for field in objects_module.fields_used(obj) if field not in fields)
        if missing:
            problems.append(f"visualization {title!r} uses fields {index} does not map: {', '.join(missing)}")
            continue
        rows.append({"title": title, "index": index,
                     "hits": _visualization_hits(opensearch_url, index, obj, title, problems)})
    if not any(obj.get("type") == "dashboard" for obj in objects):
        problems.append(f"{source} holds no dashboard")
    if problems:
        raise LabError(f"{source} does not load: " + "; ".join(problems))
    return rows


def _visualization_hits(opensearch_url: str, index: str, obj: dict, title: str, problems: list[str]) -> int:
    """Run the visualization's own query (its searchSourceJSON, Lucene) on its index pattern."""
    meta = obj.get("attributes", {}).get("kibanaSavedObjectMeta") or {}
    source = json.loads(meta.get("searchSourceJSON") or "{}")
    query = (source.get("query") or {}).get("query") or "*"
    response = requests.post(f"{opensearch_url}/{index}/_count", timeout=30,
                             json={"query": {"query_string": {"query": query}}})
    if not response.ok:
        problems.append(f"visualization {title!r}: its query {query!r} fails: {response.text[:200]}")
        return 0
    return int(response.json().get("count", 0))
