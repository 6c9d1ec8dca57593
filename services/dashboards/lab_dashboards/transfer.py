"""`_import` and `_export` as OpenSearch Dashboards 2.x does them.

Import: objects of a type Dashboards does not import are `unsupported_type` errors; references
to index patterns and saved searches that are neither in the file nor stored are
`missing_references`; objects already stored are `conflict`s unless ``overwrite``. When any of
those (resolvable) errors is found nothing is written, and ``successCount`` counts what would
have been; otherwise every object is written in one bulk. ``createNewCopies`` gives every object
a new id (its old one becomes ``originId``) and points the references at the new ids.

Export: by type (sorted by id) or by object, with ``includeReferencesDeep`` following the
references; objects are ordered so that what is referenced comes first, written as JSON with
sorted keys, one a line, and a last line of export details unless ``excludeExportDetails``.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from typing import Any

from kibana_dashboards import saved_objects

from .errors import ApiError, bad_request
from .store import ICONS, IMPORTABLE_TYPES, SavedObjectsStore, generate_id

log = logging.getLogger(__name__)

OBJECT_LIMIT = 10000          # savedObjects.maxImportExportSize's default
_VALIDATED_REFERENCE_TYPES = ("index-pattern", "search")
_RESOLVABLE = ("conflict", "ambiguous_conflict", "missing_references")


def parse_ndjson(text: str) -> list[dict[str, Any]]:
    """The objects of an import file, a bad line a 400 as Dashboards answers it."""
    try:
        return saved_objects.parse_ndjson(text)
    except saved_objects.NdjsonError as exc:
        raise ApiError(400, str(exc)) from exc


def _error(obj: dict[str, Any], error: dict[str, Any]) -> dict[str, Any]:
    title = (obj.get("attributes") or {}).get("title")
    return {"id": obj["id"], "type": obj["type"], "title": title, "meta": {"title": title}, "error": error}


def _meta(type_: str, title: Any) -> dict[str, Any]:
    return {"title": title, "icon": ICONS.get(type_)}


def _without_none(value: Any) -> Any:
    """JavaScript leaves undefined members out of JSON."""
    if isinstance(value, dict):
        return {k: _without_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_none(v) for v in value]
    return value


def import_objects(store: SavedObjectsStore, objects: list[dict[str, Any]], overwrite: bool = False,
                   create_new_copies: bool = False) -> dict[str, Any]:
    """Import parsed objects; Dashboards' answer ``{success, successCount, successResults?, errors?}``."""
    if len(objects) > OBJECT_LIMIT:
        raise ApiError(400, f"Can't import more than {OBJECT_LIMIT} objects")
    repeated = [f"{t}:{i}" for (t, i), n in Counter((o["type"], o["id"]) for o in objects).items() if n > 1]
    if repeated:
        raise bad_request(f"Non-unique import objects detected: [{','.join(repeated)}]")
    errors: list[dict[str, Any]] = []
    collected = []
    for obj in objects:
        if obj["type"] in IMPORTABLE_TYPES:
            collected.append({"migrationVersion": {}, **obj})
        else:
            errors.append(_error(obj, {"type": "unsupported_type"}))
    keys = {(o["type"], o["id"]) for o in collected}

    # references to index patterns and saved searches must resolve, in the file or stored
    wanted = {(r["type"], r["id"]) for o in collected for r in o.get("references") or []
              if r.get("type") in _VALIDATED_REFERENCE_TYPES} - keys
    missing = set(wanted) - store.existing(sorted(wanted))
    for obj in collected:
        refs = [{"type": r["type"], "id": r["id"]} for r in obj.get("references") or []
                if (r.get("type"), r.get("id")) in missing]
        if refs:
            errors.append(_error(obj, {"type": "missing_references", "references": refs}))

    new_ids: dict[tuple[str, str], str] = {}
    pending_overwrites: set[tuple[str, str]] = set()
    if create_new_copies:
        new_ids = {key: generate_id() for key in keys}
    else:
        stored = store.existing(sorted(keys))
        for obj in collected:
            key = (obj["type"], obj["id"])
            if key in stored and overwrite:
                pending_overwrites.add(key)
            elif key in stored:
                errors.append(_error(obj, {"type": "conflict"}))

    errored = {(e["type"], e["id"]) for e in errors}
    to_create = [o for o in collected if (o["type"], o["id"]) not in errored]
    created: list[dict[str, Any]] = list(to_create)
    if to_create and not any(e["error"]["type"] in _RESOLVABLE for e in errors):
        written = store.bulk_create([_with_new_ids(o, new_ids) for o in to_create], overwrite=overwrite)
        created = []
        for obj, result in zip(to_create, written, strict=True):
            if "error" in result:
                kind = result["error"]["type"]
                errors.append(_error(obj, {"type": "conflict"} if kind == "conflict" else result["error"]))
            else:
                created.append(obj)

    success_results = []
    for obj in created:
        key = (obj["type"], obj["id"])
        result: dict[str, Any] = {"type": obj["type"], "id": obj["id"],
                                  "meta": _meta(obj["type"], (obj.get("attributes") or {}).get("title"))}
        if key in pending_overwrites:
            result["overwrite"] = True
        if key in new_ids:
            result["destinationId"] = new_ids[key]
        success_results.append(result)
    error_results = []
    for error in errors:
        error = {**error, "meta": {**error["meta"], "icon": ICONS.get(error["type"])}}
        if (error["type"], error["id"]) in pending_overwrites:
            error["overwrite"] = True
        error_results.append(error)
    answer: dict[str, Any] = {"successCount": len(created), "success": not errors}
    if success_results:
        answer["successResults"] = success_results
    if error_results:
        answer["errors"] = error_results
    log.info("import: %d objects, %d written, %d errors (overwrite=%s)", len(objects),
             len(created) if not errors else 0, len(errors), overwrite)
    return _without_none(answer)


def _with_new_ids(obj: dict[str, Any], new_ids: dict[tuple[str, str], str]) -> dict[str, Any]:
    new_id = new_ids.get((obj["type"], obj["id"]))
    if new_id is None:
        return obj
    refs = [{**r, "id": new_ids.get((r.get("type"), r.get("id")), r.get("id"))}
            for r in obj.get("references") or []]
    return {**obj, "id": new_id, "originId": obj.get("originId") or obj["id"], "references": refs}


# -- export ------------------------------------------------------------------------------------
def _as_list(value: Any, what: str) -> list[Any] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return value
    raise ApiError(400, f"[request body.{what}]: types that failed validation")


def export_objects(store: SavedObjectsStore, body: dict[str, Any]) -> str:
    """The export file (NDJSON) for the `_export` route's JSON body."""
    if not isinstance(body, dict):
        raise ApiError(400, "[request body]: expected a plain object value, but found [null] instead.")
    types = _as_list(body.get("type"), "type")
    objects = body.get("objects")
    search = body.get("search")
    if types:
        invalid = [t for t in types if t not in IMPORTABLE_TYPES]
        if invalid:
            raise ApiError(400, f"Trying to export non-exportable type(s): {', '.join(invalid)}")
    if objects:
        invalid = [f"{o.get('type')}:{o.get('id')}" for o in objects if o.get("type") not in IMPORTABLE_TYPES]
        if invalid:
            raise ApiError(400, f"Trying to export object(s) with non-exportable types: {', '.join(invalid)}")
    if types and objects:
        raise ApiError(400, "Can't specify both \"types\" and \"objects\" properties when exporting")
    if objects:
        if len(objects) > OBJECT_LIMIT:
            raise ApiError(400, f"Can't export more than {OBJECT_LIMIT} objects")
        if isinstance(search, str):
            raise ApiError(400, "Can't specify both \"search\" and \"objects\" properties when exporting")
        roots = store.bulk_get([{"type": o["type"], "id": o["id"]} for o in objects])
        failed = [o for o in roots if "error" in o]
        if failed:
            raise ApiError(400, "Bad Request", attributes={"objects": failed})
    elif types:
        found = store.find(types, search=search, per_page=OBJECT_LIMIT)
        if found["total"] > OBJECT_LIMIT:
            raise ApiError(400, f"Can't export more than {OBJECT_LIMIT} objects")
        roots = sorted(({k: v for k, v in o.items() if k != "score"} for o in found["saved_objects"]),
                       key=lambda o: o["id"])
    else:
        raise ApiError(400, "Either `type` or `objects` are required.")

    missing: list[dict[str, str]] = []
    exported = roots
    if body.get("includeReferencesDeep"):
        exported, missing = _with_references(store, roots)
    exported = [{k: v for k, v in o.items() if k != "namespaces"} for o in sort_objects(exported)]
    lines = [json.dumps(o, sort_keys=True, separators=(",", ":"), ensure_ascii=False) for o in exported]
    if not body.get("excludeExportDetails"):
        details = {"exportedCount": len(exported), "missingRefCount": len(missing),
                   "missingReferences": missing}
        lines.append(json.dumps(details, sort_keys=True, separators=(",", ":")))
    log.info("export: %d objects", len(exported))
    return "\n".join(lines)


def _with_references(store: SavedObjectsStore, roots: list[dict[str, Any]]
                     ) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """The objects and, transitively, what they reference; and the references not found."""
    everything = list(roots)
    seen = {(o["type"], o["id"]) for o in roots}
    missing: list[dict[str, str]] = []
    to_fetch = _unseen_references(roots, seen)
    while to_fetch:
        fetched = store.bulk_get([{"type": t, "id": i} for t, i in to_fetch])
        failed = [o for o in fetched if "error" in o and o["error"].get("statusCode") != 404]
        if failed:
            raise ApiError(400, "Bad Request", attributes={"objects": failed})
        found = []
        for obj in fetched:
            seen.add((obj["type"], obj["id"]))
            if "error" in obj:
                missing.append({"id": obj["id"], "type": obj["type"]})
            else:
                found.append(obj)
        everything += found
        to_fetch = _unseen_references(found, seen)
    return everything, missing


def _unseen_references(objects: list[dict[str, Any]], seen: set[tuple[str, str]]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for obj in objects:
        for ref in obj.get("references") or []:
            key = (ref["type"], ref["id"])
            if key not in seen and key not in out:
                out.append(key)
    return out


def sort_objects(objects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Referenced objects before the objects referencing them (depth first, input order kept
    otherwise); a reference loop is a bad request naming it."""
    by_key = {(o["type"], o["id"]): o for o in objects}
    done: dict[tuple[str, str], dict[str, Any]] = {}
    path: list[tuple[str, str]] = []

    def visit(obj: dict[str, Any]) -> None:
        key = (obj["type"], obj["id"])
        if key in done:
            return
        if key in path:
            loop = " ref-> ".join(f"[{t}:{i}]" for t, i in [*path, key])
            raise ApiError(400, f"circular reference: {loop}")
        referenced = [by_key[k] for k in ((r["type"], r["id"]) for r in obj.get("references") or [])
                      if k in by_key]
        path.append(key)
        for ref in referenced:
            visit(ref)
        path.pop()
        done.setdefault(key, obj)

    for obj in objects:
        visit(obj)
    return list(done.values())
