"""Athena partition projection (`projection.enabled` in TBLPROPERTIES): the partitions
are not in the catalog but computed from `projection.<key>.*` and
`storage.location.template`. The lab lists the template's fixed prefix and keeps the
folders whose values fit each key's projection (date with its Java format and range,
integer with its range, enum, injected), which is what Athena reads as well."""
from __future__ import annotations

import re
from datetime import UTC, datetime

from lab_localstack.athena import s3_objects
from lab_localstack.athena.errors import QueryFailed

_JAVA = [("yyyy", r"\d{4}", "%Y"), ("MM", r"\d{2}", "%m"), ("dd", r"\d{2}", "%d"), ("HH", r"\d{2}", "%H"),
         ("mm", r"\d{2}", "%M"), ("ss", r"\d{2}", "%S")]


def enabled(table: dict) -> bool:
    return str((table.get("Parameters") or {}).get("projection.enabled", "")).lower() == "true"


def _java_regex(fmt: str) -> tuple[str, str]:
    """(regex, strftime format) of a Java date pattern such as yyyy/MM/dd/HH."""
    regex, strf, i = "", "", 0
    while i < len(fmt):
        for java, rx, sf in _JAVA:
            if fmt.startswith(java, i):
                regex, strf, i = regex + rx, strf + sf, i + len(java)
                break
        else:
            regex, strf, i = regex + re.escape(fmt[i]), strf + fmt[i].replace("%", "%%"), i + 1
    return regex, strf


def _key_regex(key: str, params: dict) -> str:
    kind = params.get(f"projection.{key}.type", "").lower()
    if kind == "date":
        return _java_regex(params.get(f"projection.{key}.format", "yyyy-MM-dd"))[0]
    if kind == "integer":
        return r"-?\d+"
    if kind == "enum":
        return "|".join(re.escape(v.strip()) for v in params.get(f"projection.{key}.values", "").split(","))
    if kind == "injected":
        return r"[^/]+"
    raise QueryFailed(f"HIVE_METASTORE_ERROR: projection.{key}.type '{kind}' is not supported by the lab")


def _in_range(key: str, value: str, params: dict) -> bool:
    kind = params.get(f"projection.{key}.type", "").lower()
    bounds = params.get(f"projection.{key}.range")
    if not bounds or kind not in ("date", "integer"):
        return True
    low, _, high = bounds.partition(",")
    if kind == "integer":
        return int(low) <= int(value) <= int(high)
    strf = _java_regex(params.get(f"projection.{key}.format", "yyyy-MM-dd"))[1]

    def parse(text: str) -> datetime:
        text = text.strip()
        return datetime.now(UTC).replace(tzinfo=None) if text.upper() == "NOW" else datetime.strptime(text, strf)

    try:
        return parse(low) <= datetime.strptime(value, strf) <= parse(high)
    except ValueError:
        return True   # relative bounds (NOW-3YEARS...) are not evaluated: keep the partition


def partitions(s3, table: dict) -> list[tuple[list[str], str]]:
    """(values, location) of every projected partition that has data."""
    params = table.get("Parameters") or {}
    keys = [k["Name"] for k in table.get("PartitionKeys") or []]
    location = (table.get("StorageDescriptor") or {}).get("Location", "").rstrip("/") + "/"
    template = params.get("storage.location.template") or (
        location + "".join(f"{k}=${{{k}}}/" for k in keys))
    fixed = template.split("${", 1)[0]
    pattern, order = "", []
    for part in re.split(r"(\$\{\w+\})", template):
        if part.startswith("${"):
            name = part[2:-1]
            pattern += f"({_key_regex(name, params)})"
            order.append(name)
        else:
            pattern += re.escape(part)
    regex = re.compile("^" + pattern)
    bucket, _ = s3_objects.split_uri(fixed)
    found: dict[tuple[str, ...], str] = {}
    for obj in s3_objects.list_location(s3, fixed.rsplit("/", 1)[0] + "/"):
        match = regex.match(f"s3://{bucket}/{obj.key}")
        if not match:
            continue
        by_name = dict(zip(order, match.groups()))
        values = tuple(by_name.get(k, "") for k in keys)
        if all(_in_range(k, v, params) for k, v in zip(keys, values)):
            found.setdefault(values, match.group(0))
    return [(list(v), loc) for v, loc in sorted(found.items())]
