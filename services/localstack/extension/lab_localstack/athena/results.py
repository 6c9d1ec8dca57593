"""A query's result set as Athena presents it: values as Trino prints them
(`2026-01-01 10:00:00.000`, `true`, `[a, b]`, `{k=v}`), ResultSetMetadata.ColumnInfo
with Athena's types, GetQueryResults pages (header row first for SELECT), and the
`<id>.csv` file (every value quoted, NULL as an empty field) written to OutputLocation."""
from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
import json
import math
from dataclasses import dataclass, field

from lab_localstack.athena import types


@dataclass
class ResultSet:
    names: list[str]
    athena_types: list[str]
    rows: list[list[str | None]]
    header_row: bool = True            # SELECT results start with the column names; SHOW/DESCRIBE do not
    data_scanned: int = 0
    update_count: int | None = None
    data_files: list[str] | None = None   # S3 URIs a CTAS/UNLOAD wrote: the data manifest's lines
    extra: dict = field(default_factory=dict)


def format_value(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        text = value.strftime("%Y-%m-%d %H:%M:%S.") + f"{value.microsecond // 1000:03d}"
        return text + (" UTC" if value.tzinfo is not None else "")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, float):
        return java_double(value)
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_inner(v) for v in value) + "]"
    if isinstance(value, dict):
        if set(value) == {"key", "value"} and isinstance(value["key"], list):
            pairs = zip(value["key"], value["value"])
            return "{" + ", ".join(f"{_inner(k)}={_inner(v)}" for k, v in pairs) + "}"
        return "{" + ", ".join(f"{k}={_inner(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (bytes, bytearray)):
        return " ".join(f"{b:02x}" for b in value)
    return str(value)


def java_double(value: float) -> str:
    """A double as Trino (Java's Double.toString) prints it: 3.5, 1.0, 1.7936748E9, 1.0E-4."""
    if math.isnan(value):
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0 or 1e-3 <= abs(value) < 1e7:
        text = repr(value)
        return text if "." in text else text + ".0"
    sign, digits, exponent = decimal.Decimal(repr(value)).normalize().as_tuple()
    text = "".join(map(str, digits))
    mantissa = text[0] + "." + (text[1:] or "0")
    return f"{'-' if sign else ''}{mantissa}E{len(text) + exponent - 1}"


def _inner(value) -> str:
    text = format_value(value)
    return "null" if text is None else text


def from_duckdb(description, rows: list[tuple]) -> ResultSet:
    names = [d[0] for d in description]
    athena_types = [types.duckdb_to_athena(d[1]) for d in description]
    return ResultSet(names, athena_types, [[format_value(v) for v in row] for row in rows])


def text_result(column: str, lines: list[str]) -> ResultSet:
    """SHOW/DESCRIBE/MSCK output: one varchar column, no header row."""
    return ResultSet([column], ["string"], [[line] for line in lines], header_row=False)


def column_info(result: ResultSet) -> list[dict]:
    out = []
    for name, typ in zip(result.names, result.athena_types):
        precision = {"varchar": 2147483647, "integer": 10, "bigint": 19, "double": 17, "boolean": 0,
                     "timestamp": 3, "date": 0, "real": 17, "smallint": 5, "tinyint": 3}.get(typ, 0)
        out.append({"CatalogName": "hive", "SchemaName": "", "TableName": "", "Name": name, "Label": name,
                    "Type": typ, "Precision": precision, "Scale": 0, "Nullable": "UNKNOWN",
                    "CaseSensitive": typ in ("varchar", "string", "char")})
    return out


def all_rows(result: ResultSet) -> list[list[str | None]]:
    return ([list(result.names)] if result.header_row else []) + result.rows


def as_rows(rows: list[list[str | None]]) -> list[dict]:
    """GetQueryResults' Rows: a NULL is a Datum without VarCharValue."""
    return [{"Data": [{"VarCharValue": v} if v is not None else {} for v in row]} for row in rows]


def csv_bytes(result: ResultSet) -> bytes:
    buf = io.StringIO()
    if not result.header_row:   # Athena writes SHOW/DESCRIBE output as plain lines (a .txt)
        buf.write("".join(f"{row[0]}\n" for row in result.rows))
        return buf.getvalue().encode()
    writer = csv.writer(buf, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(result.names)
    for row in result.rows:
        buf.write(",".join("" if v is None else '"' + v.replace('"', '""') + '"' for v in row) + "\n")
    return buf.getvalue().encode()


def manifest_bytes(result: ResultSet) -> bytes:
    """`<id>-manifest.csv`: one S3 URI of a written data file per line."""
    return "".join(f"{uri}\n" for uri in result.data_files or []).encode()


def manifest_result(result: ResultSet) -> ResultSet:
    """GetQueryResults with QueryResultType=DATA_MANIFEST: one row per data file written."""
    out = ResultSet(["manifest"], ["varchar"], [[uri] for uri in result.data_files or []], header_row=False)
    out.update_count, out.data_files = result.update_count, result.data_files
    return out


def metadata_bytes(result: ResultSet) -> bytes:
    """The lab's `<id>.csv.metadata`: the ColumnInfo list as JSON (Athena's own file is an
    undocumented binary encoding of the same information)."""
    return json.dumps({"ColumnInfo": column_info(result)}).encode()
