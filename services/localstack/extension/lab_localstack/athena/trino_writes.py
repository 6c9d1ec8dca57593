"""Where Athena's writes differ from what Trino's Hive connector says or stores, for a Trino
work group (Athena engine version 3 is Trino, with Athena's own CTAS properties and catalog
entries on top):

- CTAS `WITH (...)`: Athena's `write_compression` / `parquet_compression` / `orc_compression`
  are Trino's session property `compression_codec` (Trino has no such table property), its
  `field_delimiter` is Trino's `textfile_field_separator`, `is_external = true` and
  `table_type = 'HIVE'` are what a Hive CTAS is anyway; codecs are checked and defaulted as
  the DuckDB engine does (file_formats.py: GZIP for Parquet, text and JSON). A non-empty
  `external_location` fails with Athena's message (Trino's omits Athena's advice).
- CREATE VIEW: Trino stores a view in Glue with one placeholder column (`dummy string`);
  Athena stores the view's columns in Hive types, which Glue's GetTable (and clients such as
  awswrangler's `get_table_types`) show.
"""
from __future__ import annotations

import sqlglot
from sqlglot import exp

from lab_localstack import hive
from lab_localstack.athena import errors, file_formats, output_files, view_codec

_COMPRESSION = ("write_compression", "parquet_compression", "orc_compression")
# Athena's codec name -> Trino's HiveCompressionOption (ORC's ZLIB is Trino's GZIP for ORC)
_TRINO_CODEC = {"SNAPPY": "SNAPPY", "GZIP": "GZIP", "ZSTD": "ZSTD", "LZ4": "LZ4", "NONE": "NONE",
                "UNCOMPRESSED": "NONE", "ZLIB": "GZIP"}


def _text(node: exp.Expression | None) -> str:
    """A property's value: 'PARQUET' -> PARQUET, true -> true."""
    if node is None:
        return ""
    return node.name if isinstance(node, exp.Literal) else node.sql().strip("'")


def ctas(tree: exp.Create) -> tuple[dict[str, str], bool]:
    """Rewrites the CTAS's properties (in `tree`) into Trino's; returns the session properties
    to run it with, and whether a property changed."""
    props = tree.args.get("properties")
    fmt, codec, delimiter = "PARQUET", None, None
    kept, changed = [], False
    for prop in (props.expressions if props else []):
        if isinstance(prop, exp.FileFormatProperty):
            fmt = prop.this.name.upper()
        elif type(prop) is exp.Property:
            key = prop.name.lower()
            value = prop.args.get("value")
            if key == "format":
                fmt = _text(value).upper()
            elif key in _COMPRESSION:
                codec, changed = _text(value), True
                continue
            elif key == "field_delimiter":
                delimiter, changed = _text(value), True
                prop = exp.Property(this=exp.to_identifier("textfile_field_separator"), value=value)
            elif (key, _text(value).upper()) in (("is_external", "TRUE"), ("table_type", "HIVE")):
                changed = True
                continue
        kept.append(prop)
    if props is not None:
        props.set("expressions", kept)
    session: dict[str, str] = {}
    if fmt in file_formats.FORMATS:
        ff = file_formats.resolve(fmt, codec, delimiter)
        session["compression_codec"] = _TRINO_CODEC[ff.codec]
    elif codec:
        session["compression_codec"] = _TRINO_CODEC.get(codec.upper(), codec.upper())
    return session, changed


def require_empty(s3, db: str, name: str, location: str, staging: str) -> None:
    """A new table's location must hold nothing (Athena's message, which Trino's lacks)."""
    output_files.require_empty(s3, location, f"HIVE_PATH_ALREADY_EXISTS: Target directory for table '{db}.{name}' "
                               f"already exists: {location}. You may need to manually clean the data at location "
                               f"'{staging}' before retrying. Athena will not delete data in your account.")


def _glue_type(trino_type: str) -> str:
    """`row("x" integer)` -> `struct<x:int>`, as Athena names a view column's type in Glue (a
    type sqlglot does not read stays as Trino names it)."""
    try:
        return hive.ddl_to_glue(exp.DataType.build(trino_type, dialect="trino")).replace("`", "")
    except (sqlglot.errors.ParseError, ValueError):
        return trino_type


def store_view_columns(glue, db: str, name: str) -> None:
    """The view Trino created, with its columns in the Glue table as Athena stores them."""
    table = glue.get_table(DatabaseName=db, Name=name)["Table"]
    try:
        view = view_codec.decode(table)
    except ValueError as exc:
        raise errors.QueryFailed(f"GENERIC_INTERNAL_ERROR: Trino stored view {db}.{name} in a form the lab does "
                                 f"not read: {exc}", errors.TYPE_INTERNAL, errors.CATEGORY_SYSTEM) from exc
    columns = [{"Name": c.name, "Type": _glue_type(c.trino_type)} for c in view.columns]
    keep = ("Name", "Description", "Owner", "Retention", "PartitionKeys", "ViewOriginalText", "ViewExpandedText",
            "TableType", "Parameters")
    table_input = {k: table[k] for k in keep if k in table}
    table_input["StorageDescriptor"] = {**(table.get("StorageDescriptor") or {}), "Columns": columns}
    glue.update_table(DatabaseName=db, TableInput=table_input)
