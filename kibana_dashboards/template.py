"""The index template for ``apache*`` and what it says about each field.

The mappings follow the ETL's output contract: the workshop's own field names
(request, verb, user-agent, referer, host, ...) stay ``text`` with a ``.keyword``
sub-field, as the workshop's dynamic mapping made them, so the workshop's saved
visualizations (``request.keyword``, ``verb.keyword``) keep working; the lab's new
fields are plain ``keyword``/``ip``/``boolean``.
"""

from __future__ import annotations

import copy
import json
import logging
from importlib import resources
from typing import Any

from opensearchpy import OpenSearch
from opensearchpy.exceptions import NotFoundError, RequestError, TransportError

log = logging.getLogger(__name__)

TEMPLATE_NAME = "apache"

# Field types OpenSearch can aggregate on (doc values); `text` cannot.
AGGREGATABLE_TYPES = frozenset(
    {"keyword", "long", "integer", "short", "byte", "double", "float", "half_float",
     "scaled_float", "unsigned_long", "date", "date_nanos", "ip", "boolean", "geo_point"}
)


def load_template() -> dict[str, Any]:
    """The composable index template body (``PUT _index_template/apache``)."""
    text = resources.files(__package__).joinpath("index_template.json").read_text("utf-8")
    return json.loads(text)


def legacy_template(template: dict[str, Any]) -> dict[str, Any]:
    """The same template as a legacy ``PUT _template/apache`` body (for servers without
    composable templates, e.g. Elasticsearch 6.x/7.7- or emulators)."""
    inner = template.get("template", {})
    body: dict[str, Any] = {"index_patterns": list(template["index_patterns"]),
                            "order": template.get("priority", 0)}
    for key in ("settings", "mappings", "aliases"):
        if key in inner:
            body[key] = copy.deepcopy(inner[key])
    return body


def field_types(template: dict[str, Any] | None = None) -> dict[str, str]:
    """Every field the template maps, sub-fields included (``request.keyword``) -> its type."""
    template = template or load_template()
    out: dict[str, str] = {}

    def walk(properties: dict[str, Any], prefix: str) -> None:
        for name, spec in properties.items():
            full = prefix + name
            if "properties" in spec:
                walk(spec["properties"], full + ".")
                continue
            out[full] = spec.get("type", "object")
            for sub, sub_spec in spec.get("fields", {}).items():
                out[f"{full}.{sub}"] = sub_spec.get("type", "object")

    walk(template["template"]["mappings"]["properties"], "")
    return out


def is_aggregatable(field_type: str) -> bool:
    """True when dashboards can aggregate on a field of this type."""
    return field_type in AGGREGATABLE_TYPES


def put_template(client: OpenSearch, name: str = TEMPLATE_NAME,
                 template: dict[str, Any] | None = None) -> str:
    """Put the template (idempotent); returns ``"composable"`` or ``"legacy"``.

    Composable templates are tried first; a server that refuses them gets the
    legacy ``_template`` form instead.
    """
    template = template or load_template()
    try:
        client.indices.put_index_template(name=name, body=template)
        log.info("index template %s put (composable, patterns %s)", name, template["index_patterns"])
        return "composable"
    except (NotFoundError, RequestError, TransportError) as exc:
        status = getattr(exc, "status_code", None)
        if status not in (400, 404, 405, 501):
            raise
        log.warning("composable index template refused (%s); falling back to legacy _template", status)
    client.indices.put_template(name=name, body=legacy_template(template))
    log.info("index template %s put (legacy _template)", name)
    return "legacy"
