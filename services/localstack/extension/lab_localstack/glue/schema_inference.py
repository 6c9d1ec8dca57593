"""What a crawler's classifiers conclude from a sample of one object: its
classification (json, parquet, csv or UNKNOWN) and its columns as Glue types.

JSON: every line of the sample (the first 1 MB of the object, decompressed), types
merged across lines and objects (int < bigint < double < string; structs merge
field by field; a key seen only as null is a string), as Glue's JSON classifier does.
Parquet: the file's own schema. CSV: DuckDB's sniffer (header, delimiter, types).
"""
from __future__ import annotations

import json
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from lab_localstack import hive

SAMPLE_BYTES = 1024 * 1024
_INT_MIN, _INT_MAX = -(2 ** 31), 2 ** 31 - 1
_NUMERIC_ORDER = ["int", "bigint", "double"]


@dataclass
class Sample:
    classification: str
    columns: dict[str, str] = field(default_factory=dict)     # name -> Glue type, in first-seen order
    compression: str = "none"
    delimiter: str | None = None
    header: bool = False
    records: int = 0
    sample_bytes: int = 0


def decompress_head(data: bytes) -> tuple[bytes, str]:
    if data[:2] == b"\x1f\x8b":
        return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(data), "gzip"
    return data, "none"


def glue_type_of(value) -> str | None:
    """Glue type of one JSON value (None for null)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "int" if _INT_MIN <= value <= _INT_MAX else "bigint"
    if isinstance(value, float):
        return "double"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        inner = None
        for item in value:
            inner = merge_types(inner, glue_type_of(item))
        return f"array<{inner or 'string'}>"
    fields: dict[str, str] = {}
    for key, item in value.items():
        fields[key] = merge_types(fields.get(key), glue_type_of(item)) or fields.get(key)
    return struct_type({k: v or "string" for k, v in fields.items()})


def struct_type(fields: dict[str, str]) -> str:
    return "struct<" + ",".join(f"{k}:{v}" for k, v in fields.items()) + ">"


def _struct_fields(glue_type: str) -> dict[str, str]:
    parsed = hive.parse_glue_type(glue_type)
    return {col.name: hive.ddl_to_glue(col.args["kind"]) for col in parsed.expressions}


def merge_types(a: str | None, b: str | None) -> str | None:
    """The type that holds values of both (Glue widens; incompatible types become string)."""
    if a is None or a == b:
        return b if a is None else a
    if b is None:
        return a
    if a in _NUMERIC_ORDER and b in _NUMERIC_ORDER:
        return _NUMERIC_ORDER[max(_NUMERIC_ORDER.index(a), _NUMERIC_ORDER.index(b))]
    if a.startswith("struct<") and b.startswith("struct<"):
        fa, fb = _struct_fields(a), _struct_fields(b)
        merged = dict(fa)
        for key, typ in fb.items():
            merged[key] = merge_types(merged.get(key), typ)
        return struct_type(merged)
    if a.startswith("array<") and b.startswith("array<"):
        return f"array<{merge_types(a[6:-1], b[6:-1])}>"
    return "string"


def infer_json(text: str, sample: Sample) -> bool:
    """Adds the JSON lines of `text` to the sample; False if they are not JSON objects."""
    seen: dict[str, str | None] = {}
    lines = text.splitlines()
    if len(text.encode()) >= SAMPLE_BYTES and lines:
        lines = lines[:-1]            # the last line of a truncated sample is partial
    for line in lines:
        if not line.strip():
            continue
        try:
            doc = json.loads(line)
        except ValueError:
            return sample.records > 0 or bool(seen)
        if not isinstance(doc, dict):
            return False
        for key, value in doc.items():   # Glue's column names are lower case; Host and host are one column
            seen[key.lower()] = merge_types(seen.get(key.lower()), glue_type_of(value))
        sample.records += 1
    for key, typ in seen.items():
        sample.columns[key] = merge_types(sample.columns.get(key), typ) or sample.columns.get(key)
    return bool(seen)


def finish_json(sample: Sample) -> None:
    sample.columns = {k: v or "string" for k, v in sample.columns.items()}


def infer_parquet(path: Path) -> Sample:
    con = duckdb.connect()
    try:
        described = con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [str(path)]).fetchall()
        count = con.execute("SELECT count(*) FROM read_parquet(?)", [str(path)]).fetchone()[0]
    finally:
        con.close()
    return Sample("parquet", {name: hive.duckdb_to_glue(typ) for name, typ, *_ in described}, records=count)


def infer_csv(path: Path) -> Sample | None:
    con = duckdb.connect()
    try:
        sniffed = con.execute("SELECT Delimiter, HasHeader, Columns FROM sniff_csv(?, sample_size=2048)",
                              [str(path)]).fetchone()
    except duckdb.Error:
        return None
    finally:
        con.close()
    delimiter, header, columns = sniffed
    if delimiter not in (",", "\t", "|", ";") or not columns or len(columns) < 2:
        return None
    glue = {}
    for i, col in enumerate(columns):
        name = col["name"] if header else f"col{i}"
        glue[name.lower()] = {"BIGINT": "bigint", "DOUBLE": "double", "BOOLEAN": "boolean"}.get(col["type"], "string")
    return Sample("csv", glue, delimiter=delimiter, header=bool(header))
