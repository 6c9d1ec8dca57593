"""Athena views as the Glue catalog stores them (Presto/Trino views): TableType
`VIRTUAL_VIEW`, `ViewOriginalText` = `/* Presto View: <base64 of JSON {originalSql,
catalog, schema, columns[{name, type}]}> */`, `ViewExpandedText` = `/* Presto View */`,
Parameters presto_view=true and comment "Presto View"; column types in Trino's names
inside the JSON, in Hive's names in the StorageDescriptor."""
from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass

CATALOG = "awsdatacatalog"
_ORIGINAL = re.compile(r"^/\* Presto View: (?P<b64>[A-Za-z0-9+/=\s]+) \*/$")


@dataclass(frozen=True)
class ViewColumn:
    name: str
    trino_type: str      # varchar, bigint, array(varchar), row(a integer), ...
    glue_type: str       # string, bigint, array<string>, struct<a:int>, ...


@dataclass(frozen=True)
class View:
    sql: str                     # the SELECT as the user wrote it
    schema: str                  # the database the view was created in (unqualified names resolve there)
    columns: list[ViewColumn]


def is_view(table: dict) -> bool:
    return (table.get("TableType") or "").upper() == "VIRTUAL_VIEW"


def table_input(name: str, view: View, description: str | None = None) -> dict:
    """The Glue TableInput Athena writes for CREATE VIEW."""
    payload = {"originalSql": view.sql, "catalog": CATALOG, "schema": view.schema,
               "columns": [{"name": c.name, "type": c.trino_type} for c in view.columns]}
    encoded = base64.b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode()
    tinput = {
        "Name": name, "TableType": "VIRTUAL_VIEW", "PartitionKeys": [],
        "Parameters": {"presto_view": "true", "comment": "Presto View"},
        "ViewOriginalText": f"/* Presto View: {encoded} */", "ViewExpandedText": "/* Presto View */",
        "StorageDescriptor": {"Columns": [{"Name": c.name, "Type": c.glue_type} for c in view.columns],
                              "SerdeInfo": {}, "Location": "", "InputFormat": "", "OutputFormat": ""},
    }
    if description:
        tinput["Description"] = description
    return tinput


def decode(table: dict) -> View:
    """The view a Glue VIRTUAL_VIEW table holds; ValueError if it is not a Presto view."""
    text = (table.get("ViewOriginalText") or "").strip()
    match = _ORIGINAL.match(text)
    if not match:
        raise ValueError(f"table {table.get('Name')} is not an Athena (Presto) view")
    try:
        payload = json.loads(base64.b64decode(re.sub(r"\s", "", match.group("b64"))))
    except (binascii.Error, ValueError) as exc:
        raise ValueError(f"view {table.get('Name')} has an unreadable definition") from exc
    glue_types = {c["Name"].lower(): c["Type"] for c in (table.get("StorageDescriptor") or {}).get("Columns", [])}
    columns = [ViewColumn(c["name"], c["type"], glue_types.get(c["name"].lower(), "string"))
               for c in payload.get("columns", [])]
    return View(payload["originalSql"], payload.get("schema") or table.get("DatabaseName", ""), columns)
