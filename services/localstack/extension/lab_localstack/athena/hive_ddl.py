"""Athena's Hive DDL as Glue inputs: CREATE EXTERNAL TABLE (columns, PARTITIONED BY,
ROW FORMAT SERDE ... WITH SERDEPROPERTIES, ROW FORMAT DELIMITED, STORED AS,
LOCATION, TBLPROPERTIES) -> TableInput, and ALTER TABLE ... ADD/DROP PARTITION specs
(which sqlglot leaves as raw commands) -> partition values and locations."""
from __future__ import annotations

import re

from sqlglot import exp

from lab_localstack.athena.errors import QueryFailed
from lab_localstack.hive import LAZY_SIMPLE, STORED_AS, TEXT_IO, ddl_to_glue


def _text(node: exp.Expression | None) -> str | None:
    return None if node is None else node.name if isinstance(node, (exp.Literal, exp.Var)) else node.sql()


def columns(defs: list[exp.Expression]) -> list[dict]:
    out = []
    for d in defs:
        if not isinstance(d, exp.ColumnDef) or d.args.get("kind") is None:
            raise QueryFailed(f"line 1:1: Column definition without a type: {d.sql()}")
        col = {"Name": d.name.lower(), "Type": ddl_to_glue(d.args["kind"])}
        comment = d.find(exp.CommentColumnConstraint)
        if comment is not None:
            col["Comment"] = _text(comment.this)
        out.append(col)
    return out


def table_input(create: exp.Create) -> tuple[str | None, dict]:
    """(database or None, TableInput) of a CREATE [EXTERNAL] TABLE without AS SELECT."""
    schema = create.this
    table = schema.this if isinstance(schema, exp.Schema) else schema
    sd: dict = {"Columns": columns(schema.expressions) if isinstance(schema, exp.Schema) else [],
                "InputFormat": TEXT_IO[0], "OutputFormat": TEXT_IO[1],
                "SerdeInfo": {"SerializationLibrary": LAZY_SIMPLE, "Parameters": {"serialization.format": "1"}}}
    tinput: dict = {"Name": table.name.lower(), "TableType": "EXTERNAL_TABLE", "PartitionKeys": [],
                    "Parameters": {"EXTERNAL": "TRUE"}, "StorageDescriptor": sd}
    for prop in (create.args.get("properties") or exp.Properties(expressions=[])).expressions:
        if isinstance(prop, exp.PartitionedByProperty):
            tinput["PartitionKeys"] = columns(prop.this.expressions)
        elif isinstance(prop, exp.RowFormatSerdeProperty):
            sd["SerdeInfo"] = {"SerializationLibrary": _text(prop.this), "Parameters": {}}
            serde_props = prop.args.get("serde_properties")
            for p in serde_props.expressions if serde_props else []:
                sd["SerdeInfo"]["Parameters"][_text(p.this)] = _text(p.args.get("value"))
        elif isinstance(prop, exp.RowFormatDelimitedProperty):
            params = sd["SerdeInfo"]["Parameters"]
            for arg, key in (("fields", "field.delim"), ("escaped", "escape.delim"), ("lines", "line.delim"),
                             ("collection_items", "collection.delim"), ("map_keys", "mapkey.delim")):
                if prop.args.get(arg) is not None:
                    params[key] = _text(prop.args[arg])
            if "field.delim" in params:
                params["serialization.format"] = params["field.delim"]
        elif isinstance(prop, exp.FileFormatProperty):
            fmt = prop.this
            if isinstance(fmt, exp.InputOutputFormat):
                sd["InputFormat"] = _text(fmt.args.get("input_format"))
                sd["OutputFormat"] = _text(fmt.args.get("output_format"))
            else:
                name = (_text(fmt) or "").upper()
                if name not in STORED_AS:
                    raise QueryFailed(f"NOT_SUPPORTED: STORED AS {name} is not supported by the lab")
                serde, sd["InputFormat"], sd["OutputFormat"] = STORED_AS[name]
                if sd["SerdeInfo"]["SerializationLibrary"] == LAZY_SIMPLE and serde != LAZY_SIMPLE:
                    sd["SerdeInfo"] = {"SerializationLibrary": serde, "Parameters": {"serialization.format": "1"}}
        elif isinstance(prop, exp.LocationProperty):
            sd["Location"] = _text(prop.this)
        elif isinstance(prop, exp.SchemaCommentProperty):
            tinput["Description"] = _text(prop.this)
        elif type(prop) is exp.Property:   # TBLPROPERTIES (subclasses are the clauses above)
            tinput["Parameters"][_text(prop.this)] = _text(prop.args.get("value"))
    if not create.args.get("properties") or not create.find(exp.ExternalProperty):
        raise QueryFailed("NOT_SUPPORTED: Only EXTERNAL tables (or CREATE TABLE AS SELECT) are supported "
                          "for the Hive catalog")
    return (table.db.lower() if table.db else None), tinput


_PARTITION = re.compile(r"PARTITION\s*\((?P<spec>[^)]*)\)(?:\s*LOCATION\s*'(?P<loc>[^']*)')?", re.IGNORECASE)
_PAIR = re.compile(r"`?\"?(\w+)`?\"?\s*=\s*(?:'((?:[^']|'')*)'|(-?[\w.]+))")
_ALTER = re.compile(r"^\s*ALTER\s+TABLE\s+(?P<table>[`\"\w.]+)\s+(?P<verb>ADD|DROP)\s+(?P<ine>IF\s+(?:NOT\s+)?EXISTS\s+)?"
                    r"(?P<rest>PARTITION.*)$", re.IGNORECASE | re.DOTALL)


def alter_partitions(sql: str) -> tuple[str, str, bool, list[tuple[dict[str, str], str | None]]]:
    """ALTER TABLE t ADD|DROP [IF [NOT] EXISTS] PARTITION (k='v', ...) [LOCATION '...'] ..."""
    match = _ALTER.match(sql.strip().rstrip(";"))
    if not match:
        raise QueryFailed("NOT_SUPPORTED: the lab supports ALTER TABLE ... ADD/DROP PARTITION, SET TBLPROPERTIES, "
                          "SET LOCATION, ADD COLUMNS and REPLACE COLUMNS")
    specs = []
    for part in _PARTITION.finditer(match.group("rest")):
        pairs = {k.lower(): (v if v or n is None else n).replace("''", "'") for k, v, n in _PAIR.findall(part["spec"])}
        specs.append((pairs, part.group("loc")))
    if not specs:
        raise QueryFailed("line 1:1: mismatched input. Expecting: 'PARTITION'")
    return match.group("table").replace("`", "").replace('"', ""), match.group("verb").upper(), bool(match["ine"]), specs
