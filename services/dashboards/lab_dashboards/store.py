"""Saved objects in OpenSearch, where OpenSearch Dashboards keeps them: the `.kibana` alias (on
the index `.kibana_1`, as Dashboards' first migration names it), one document per object with
the id ``<type>:<id>`` and the source ``{"type", "<type>": attributes, "references",
"migrationVersion", "updated_at"}``. An object's ``version`` is Dashboards' encoding of the
document's sequence number and primary term (base64 of ``[seq_no,primary_term]``).

The index is created on the first write; reads before that find nothing, as Dashboards' do.
Writes wait for the refresh (``refresh=wait_for``, Dashboards' default), so a `_find` right
after an import sees what it imported.
"""

from __future__ import annotations

import base64
import json
import logging
import threading
import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import requests

from .errors import ApiError, error_content, not_found, unsupported_type

log = logging.getLogger(__name__)

INDEX = ".kibana"
FIRST_INDEX = ".kibana_1"
# The types an OpenSearch Dashboards 2.x without extra plugins registers (`url` is not
# importable or exportable), with the icon its saved objects management shows.
TYPES = ("config", "index-pattern", "visualization", "dashboard", "search", "query", "url",
         "augment-vis", "visualization-visbuilder")
IMPORTABLE_TYPES = tuple(t for t in TYPES if t != "url")
ICONS = {"index-pattern": "indexPatternApp", "visualization": "visualizeApp",
         "dashboard": "dashboardApp", "search": "discoverApp"}
FIND_DEFAULT_PER_PAGE = 20
_TIMEOUT_S = 60

_TEXT = {"type": "text"}
MAPPINGS = {
    "dynamic": False,
    "properties": {
        "type": {"type": "keyword"},
        "updated_at": {"type": "date"},
        "namespace": {"type": "keyword"},
        "namespaces": {"type": "keyword"},
        "originId": {"type": "keyword"},
        "migrationVersion": {"type": "object", "dynamic": True},
        "references": {"type": "nested", "properties": {
            "name": {"type": "keyword"}, "type": {"type": "keyword"}, "id": {"type": "keyword"}}},
        # attributes are kept whole in _source; titles and descriptions are searchable
        **{t: {"type": "object", "dynamic": False,
               "properties": {"title": _TEXT, "description": _TEXT}} for t in TYPES},
    },
}


class OpenSearchUnavailable(ApiError):
    def __init__(self, reason: str) -> None:
        super().__init__(503, f"{reason}: Service Unavailable")


def now() -> str:
    """Dashboards' timestamp: ISO 8601 in UTC with milliseconds (JavaScript's toISOString)."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def generate_id() -> str:
    return str(uuid.uuid4())


def encode_version(seq_no: int, primary_term: int) -> str:
    return base64.b64encode(json.dumps([seq_no, primary_term], separators=(",", ":")).encode()).decode()


def decode_version(version: str) -> dict[str, int]:
    """``if_seq_no``/``if_primary_term`` for a version an object was read with."""
    try:
        seq_no, primary_term = json.loads(base64.b64decode(version, validate=True))
        return {"if_seq_no": int(seq_no), "if_primary_term": int(primary_term)}
    except (ValueError, TypeError) as exc:
        raise ApiError(400, f"Invalid version [{version}]") from exc


def raw_id(type_: str, id_: str) -> str:
    return f"{type_}:{id_}"


def to_source(obj: dict[str, Any], updated_at: str) -> dict[str, Any]:
    """A saved object as the document Dashboards writes (migrationVersion kept as given)."""
    source: dict[str, Any] = {"type": obj["type"], obj["type"]: obj.get("attributes", {}),
                              "references": obj.get("references") or [], "updated_at": updated_at}
    if obj.get("migrationVersion") is not None:
        source["migrationVersion"] = obj["migrationVersion"]
    if obj.get("originId"):
        source["originId"] = obj["originId"]
    return source


def from_source(type_: str, id_: str, source: dict[str, Any], seq_no: int | None,
                primary_term: int | None) -> dict[str, Any]:
    """A document as the API answers it (get, bulk_get, find, create)."""
    obj: dict[str, Any] = {"id": id_, "type": type_,
                           "namespaces": source.get("namespaces") or [source.get("namespace") or "default"]}
    if source.get("originId"):
        obj["originId"] = source["originId"]
    if source.get("updated_at"):
        obj["updated_at"] = source["updated_at"]
    if seq_no is not None and primary_term is not None:
        obj["version"] = encode_version(seq_no, primary_term)
    obj["attributes"] = source.get(type_, {})
    obj["references"] = source.get("references") or []
    if "migrationVersion" in source:
        obj["migrationVersion"] = source["migrationVersion"]
    return obj


def opensearch_error(answer: requests.Response) -> ApiError:
    """An OpenSearch error as Dashboards decorates it: the reason, then the error type."""
    try:
        error = answer.json().get("error") or {}
    except ValueError:
        error = {}
    if isinstance(error, str):
        error = {"type": error}
    reason, kind = error.get("reason"), error.get("type") or f"HTTP {answer.status_code}"
    status = answer.status_code
    if status == 404:
        return not_found()
    if status >= 500 and status != 503:
        status = 500
    message = f"{reason}: {kind}" if reason else kind
    return ApiError(status, message)


class SavedObjectsStore:
    """The saved objects repository over one OpenSearch (HTTP, no client state but sessions)."""

    def __init__(self, opensearch_url: str) -> None:
        self.url = opensearch_url.rstrip("/")
        self._local = threading.local()
        self._index_lock = threading.Lock()

    # -- HTTP ---------------------------------------------------------------------------------
    def _request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
        try:
            return session.request(method, self.url + path, timeout=_TIMEOUT_S, **kwargs)
        except requests.RequestException as exc:
            reason = f"OpenSearch at {self.url} does not answer ({exc.__class__.__name__})"
            raise OpenSearchUnavailable(reason) from exc

    def _checked(self, answer: requests.Response) -> dict[str, Any]:
        if answer.status_code >= 400:
            raise opensearch_error(answer)
        return answer.json()

    def ping(self) -> bool:
        """Whether OpenSearch answers (the status route's health)."""
        try:
            return self._request("GET", "/").status_code == 200
        except OpenSearchUnavailable:
            return False

    def ensure_index(self) -> None:
        """Create `.kibana_1` with the alias `.kibana` unless `.kibana` is there; asked before
        every write (writes are rare), so an index deleted meanwhile is made again with its
        mappings, not by OpenSearch's automatic creation."""
        with self._index_lock:
            if self._request("HEAD", f"/{INDEX}").status_code != 404:
                return
            body = {"settings": {"number_of_shards": 1, "auto_expand_replicas": "0-1"},
                    "mappings": MAPPINGS, "aliases": {INDEX: {}}}
            answer = self._request("PUT", f"/{FIRST_INDEX}", json=body)
            if answer.status_code >= 400 and "resource_already_exists" not in answer.text:
                raise opensearch_error(answer)
            log.info("created the saved objects index %s (alias %s) in %s", FIRST_INDEX, INDEX, self.url)

    def _doc_path(self, type_: str, id_: str, endpoint: str = "_doc") -> str:
        return f"/{INDEX}/{endpoint}/{quote(raw_id(type_, id_), safe='')}"

    # -- single objects -----------------------------------------------------------------------
    def get(self, type_: str, id_: str) -> dict[str, Any]:
        if type_ not in TYPES:
            raise not_found(type_, id_)
        answer = self._request("GET", self._doc_path(type_, id_))
        if answer.status_code == 404:
            raise not_found(type_, id_)
        doc = self._checked(answer)
        return from_source(type_, id_, doc["_source"], doc.get("_seq_no"), doc.get("_primary_term"))

    def create(self, obj: dict[str, Any], overwrite: bool = False,
               version: str | None = None) -> dict[str, Any]:
        type_ = obj["type"]
        if type_ not in TYPES:
            raise unsupported_type(type_)
        id_ = obj.get("id") or generate_id()
        self.ensure_index()
        source = to_source(obj, now())
        params: dict[str, Any] = {"refresh": "wait_for"}
        if overwrite and obj.get("id"):
            params.update(decode_version(version) if version else {})
            answer = self._request("PUT", self._doc_path(type_, id_), params=params, json=source)
        else:
            answer = self._request("PUT", self._doc_path(type_, id_, "_create"), params=params, json=source)
        doc = self._checked(answer)
        return from_source(type_, id_, source, doc.get("_seq_no"), doc.get("_primary_term"))

    def update(self, type_: str, id_: str, attributes: dict[str, Any],
               references: list[dict[str, Any]] | None = None,
               version: str | None = None) -> dict[str, Any]:
        if type_ not in TYPES:
            raise not_found(type_, id_)
        self.ensure_index()   # an update (or delete) in a missing index would create it, unmapped
        time = now()
        doc: dict[str, Any] = {type_: attributes, "updated_at": time}
        if references is not None:
            doc["references"] = references
        params: dict[str, Any] = {"refresh": "wait_for", "_source_includes": "namespace,namespaces,originId",
                                  **(decode_version(version) if version else {})}
        answer = self._request("POST", self._doc_path(type_, id_, "_update"), params=params,
                               json={"doc": doc})
        if answer.status_code == 404:
            raise not_found(type_, id_)
        body = self._checked(answer)
        source = (body.get("get") or {}).get("_source") or {}
        result: dict[str, Any] = {"id": id_, "type": type_, "updated_at": time,
                                  "version": encode_version(body["_seq_no"], body["_primary_term"]),
                                  "namespaces": source.get("namespaces") or [source.get("namespace") or "default"]}
        if source.get("originId"):
            result["originId"] = source["originId"]
        if references is not None:
            result["references"] = references
        result["attributes"] = attributes
        return result

    def delete(self, type_: str, id_: str) -> None:
        if type_ not in TYPES:
            raise not_found(type_, id_)
        self.ensure_index()
        answer = self._request("DELETE", self._doc_path(type_, id_), params={"refresh": "wait_for"})
        if answer.status_code == 404:
            raise not_found(type_, id_)
        self._checked(answer)

    # -- many objects -------------------------------------------------------------------------
    def bulk_get(self, wanted: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Each wanted ``{type, id}`` as an object, or ``{id, type, error}`` in its place."""
        results: list[dict[str, Any] | None] = []
        docs = []
        for item in wanted:
            type_, id_ = item["type"], item["id"]
            if type_ not in TYPES:
                results.append({"id": id_, "type": type_, "error": error_content(unsupported_type(type_))})
            else:
                results.append(None)
                docs.append({"_index": INDEX, "_id": raw_id(type_, id_)})
        found = iter(self._checked(self._request("POST", "/_mget", json={"docs": docs}))["docs"] if docs else [])
        out = []
        for item, result in zip(wanted, results, strict=True):
            if result is None:
                doc = next(found)
                if doc.get("found"):
                    result = from_source(item["type"], item["id"], doc["_source"], doc.get("_seq_no"),
                                         doc.get("_primary_term"))
                else:
                    result = {"id": item["id"], "type": item["type"],
                              "error": error_content(not_found(item["type"], item["id"]))}
            out.append(result)
        return out

    def existing(self, keys: list[tuple[str, str]]) -> set[tuple[str, str]]:
        """Which of these (type, id) are stored."""
        if not keys:
            return set()
        return {(o["type"], o["id"]) for o in self.bulk_get([{"type": t, "id": i} for t, i in keys])
                if "error" not in o}

    def bulk_create(self, objects: list[dict[str, Any]], overwrite: bool) -> list[dict[str, Any]]:
        """Write objects in one `_bulk` (index when overwriting, else create); each result is
        the stored object or ``{id, type, error}``."""
        self.ensure_index()
        time = now()
        lines = []
        for obj in objects:
            action = "index" if overwrite else "create"
            lines.append(json.dumps({action: {"_index": INDEX, "_id": raw_id(obj["type"], obj["id"])}}))
            lines.append(json.dumps(to_source(obj, time)))
        answer = self._request("POST", "/_bulk", params={"refresh": "wait_for"},
                               data="\n".join(lines) + "\n",
                               headers={"Content-Type": "application/x-ndjson"})
        items = self._checked(answer)["items"]
        out = []
        for obj, item in zip(objects, items, strict=True):
            result = next(iter(item.values()))
            if "error" in result:
                status = result.get("status", 500)
                kind = "conflict" if status == 409 else "unknown"
                out.append({"id": obj["id"], "type": obj["type"],
                            "error": {"type": kind, "statusCode": status,
                                      "message": (result["error"] or {}).get("reason", "")}})
            else:
                out.append(from_source(obj["type"], obj["id"], to_source(obj, time),
                                       result.get("_seq_no"), result.get("_primary_term")))
        return out

    def find(self, types: list[str], *, search: str | None = None, search_fields: list[str] | None = None,
             default_operator: str = "OR", page: int = 1, per_page: int = FIND_DEFAULT_PER_PAGE,
             sort_field: str | None = None, sort_order: str | None = None,
             has_reference: dict[str, str] | list[dict[str, str]] | None = None,
             fields: list[str] | None = None) -> dict[str, Any]:
        """One page of the objects of these types, Dashboards' `_find` answer."""
        allowed = [t for t in types if t in TYPES]
        empty = {"page": page, "per_page": per_page, "total": 0, "saved_objects": []}
        if not allowed:
            return empty
        must: list[dict[str, Any]] = [{"terms": {"type": allowed}}]
        if search:
            query: dict[str, Any] = {"query": search, "default_operator": default_operator}
            if search_fields:
                query["fields"] = [f"{t}.{f}" for t in allowed for f in search_fields]
            else:
                query.update(fields=["*"], lenient=True)
            must.append({"simple_query_string": query})
        if has_reference:
            wanted = has_reference if isinstance(has_reference, list) else [has_reference]
            must.append({"bool": {"minimum_should_match": 1, "should": [
                {"nested": {"path": "references", "query": {"bool": {"must": [
                    {"term": {"references.type": ref.get("type")}},
                    {"term": {"references.id": ref.get("id")}}]}}}} for ref in wanted]}})
        body: dict[str, Any] = {"query": {"bool": {"filter": must[:1], "must": must[1:]}},
                                "size": per_page, "from": per_page * (page - 1),
                                "seq_no_primary_term": True}
        if sort_field:
            root = sort_field in ("type", "updated_at", "originId")
            paths = [sort_field] if root else [f"{t}.{sort_field}" for t in allowed]
            body["sort"] = [{p: {"order": sort_order or "asc", "unmapped_type": "keyword"}} for p in paths]
        if fields:
            body["_source"] = ["type", "namespace", "namespaces", "originId", "updated_at", "references",
                               "migrationVersion", *(f"{t}.{f}" for t in allowed for f in fields)]
        answer = self._request("POST", f"/{INDEX}/_search", params={"rest_total_hits_as_int": "true"},
                               json=body)
        if answer.status_code == 404:
            return empty
        result = self._checked(answer)
        saved = []
        for hit in result["hits"]["hits"]:
            type_ = hit["_source"]["type"]
            obj = from_source(type_, hit["_id"].split(":", 1)[1], hit["_source"], hit.get("_seq_no"),
                              hit.get("_primary_term"))
            obj["score"] = hit.get("_score")
            saved.append(obj)
        return {"page": page, "per_page": per_page, "total": result["hits"]["total"], "saved_objects": saved}

