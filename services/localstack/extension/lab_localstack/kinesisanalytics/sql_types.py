"""Kinesis Data Analytics SQL types: parsing a SqlType, coercing a value into it, and the
matching DuckDB and Flink SQL types.

The rules follow AWS's "Data Types" table and, where AWS's guide is silent, the SQLstream
ingestion rules KDA's engine is built on: CHAR/VARCHAR values longer than the column are
truncated to its length (so an IPv6 client in a VARCHAR(16) column keeps its first 16
characters), integers out of range or with decimals are a coercion error, a JSON string
holding a number is parsed as that number, JSON null is SQL NULL.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation

_TYPE = re.compile(
    r"^\s*(?P<base>VARCHAR|CHARACTER\s+VARYING|CHAR|CHARACTER|INTEGER|INT|BIGINT|SMALLINT|TINYINT|DOUBLE"
    r"(?:\s+PRECISION)?|REAL|FLOAT|DECIMAL|DEC|NUMERIC|BOOLEAN|TIMESTAMP|DATE|TIME|BINARY|VARBINARY)"
    r"\s*(?:\(\s*(?P<p>\d+)\s*(?:,\s*(?P<s>\d+)\s*)?\))?\s*(?:NOT\s+NULL)?\s*$",
    re.IGNORECASE,
)
_INT_RANGES = {"TINYINT": 2**7, "SMALLINT": 2**15, "INTEGER": 2**31, "BIGINT": 2**63}
_ALIASES = {"INT": "INTEGER", "CHARACTER": "CHAR", "CHARACTER VARYING": "VARCHAR", "DOUBLE PRECISION": "DOUBLE",
            "FLOAT": "DOUBLE", "DEC": "DECIMAL", "NUMERIC": "DECIMAL"}
_DUCKDB = {"VARCHAR": "VARCHAR", "CHAR": "VARCHAR", "TINYINT": "TINYINT", "SMALLINT": "SMALLINT",
           "INTEGER": "INTEGER", "BIGINT": "BIGINT", "DOUBLE": "DOUBLE", "REAL": "FLOAT", "BOOLEAN": "BOOLEAN",
           "TIMESTAMP": "TIMESTAMP", "DATE": "DATE", "TIME": "TIME", "BINARY": "BLOB", "VARBINARY": "BLOB"}
_FLINK = {"TINYINT": "TINYINT", "SMALLINT": "SMALLINT", "INTEGER": "INT", "BIGINT": "BIGINT", "DOUBLE": "DOUBLE",
          "REAL": "FLOAT", "BOOLEAN": "BOOLEAN", "TIMESTAMP": "TIMESTAMP(3)", "DATE": "DATE", "TIME": "TIME",
          "BINARY": "BYTES", "VARBINARY": "BYTES"}
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f"


class CoercionError(ValueError):
    """A value that cannot become the column's type (goes to the error stream)."""


@dataclass(frozen=True)
class SqlType:
    base: str                  # canonical name: VARCHAR, CHAR, INTEGER, DECIMAL, ...
    length: int | None = None  # CHAR/VARCHAR/BINARY length, DECIMAL precision
    scale: int | None = None

    def __str__(self) -> str:
        if self.length is None:
            return self.base
        return f"{self.base}({self.length}{'' if self.scale is None else f', {self.scale}'})"

    def duckdb(self) -> str:
        if self.base == "DECIMAL":
            return f"DECIMAL({min(self.length or 18, 38)}, {self.scale or 0})"
        return _DUCKDB[self.base]

    def flink(self) -> str:
        if self.base in ("VARCHAR", "CHAR"):
            return f"{self.base}({self.length or 1})" if self.base == "CHAR" or self.length else "STRING"
        if self.base == "DECIMAL":
            return f"DECIMAL({min(self.length or 18, 38)}, {self.scale or 0})"
        return _FLINK[self.base]

    def duckdb_cast(self, expression: str) -> str:
        """A DuckDB expression assigning `expression` to a column of this type (truncating strings)."""
        if self.base in ("VARCHAR", "CHAR") and self.length:
            return f"left(CAST({expression} AS VARCHAR), {self.length})"
        return f"CAST({expression} AS {self.duckdb()})"

    def coerce(self, value):
        """The Python value of `value` (from JSON or CSV text) in this type; CoercionError if impossible."""
        if value is None:
            return None
        handler = _COERCE.get(self.base)
        return handler(self, value)


def parse_type(text: str) -> SqlType:
    """SqlType of a RecordColumn's SqlType or a stream column's type; ValueError names it if unknown."""
    match = _TYPE.match(text or "")
    if not match:
        raise ValueError(f"Unsupported SQL type {text!r}")
    base = re.sub(r"\s+", " ", match.group("base").upper())
    base = _ALIASES.get(base, base)
    length = int(match.group("p")) if match.group("p") else None
    scale = int(match.group("s")) if match.group("s") else None
    if base in ("CHAR", "BINARY") and length is None:
        length = 1
    if base in ("VARCHAR", "CHAR", "BINARY", "VARBINARY") and length is not None and not 0 < length < 65535:
        raise ValueError(f"Invalid length {length} for {base}: must be greater than 0 and less than 65535")
    return SqlType(base, length, scale)


def _text(_t: SqlType, value) -> str:
    if isinstance(value, bool):
        text = "TRUE" if value else "FALSE"
    elif isinstance(value, (dict, list)):
        import json

        text = json.dumps(value, separators=(",", ":"))
    else:
        text = str(value)
    if _t.length is not None and len(text) > _t.length:
        text = text[: _t.length]
    if _t.base == "CHAR" and _t.length:
        text = text.ljust(_t.length)
    return text


def _integer(t: SqlType, value) -> int:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise CoercionError(f"Cannot convert '{value}' to {t}") from None
        if "." in text or "e" in text.lower():
            raise CoercionError(f"Cannot convert '{value}' to {t}: not an integer")
        value = int(number)
    elif isinstance(value, float):
        raise CoercionError(f"Cannot convert {value} to {t}: not an integer")
    elif not isinstance(value, int):
        raise CoercionError(f"Cannot convert {value!r} to {t}")
    bound = _INT_RANGES[t.base]
    if not -bound <= value < bound:
        raise CoercionError(f"Value {value} out of range for {t}")
    return value


def _floating(t: SqlType, value) -> float:
    if isinstance(value, bool):
        return float(value)
    try:
        return float(value)
    except (TypeError, ValueError):
        raise CoercionError(f"Cannot convert '{value}' to {t}") from None


def _decimal(t: SqlType, value) -> Decimal:
    try:
        return Decimal(str(value).strip())
    except InvalidOperation:
        raise CoercionError(f"Cannot convert '{value}' to {t}") from None


def _boolean(_t: SqlType, value) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return value != 0
    return str(value).strip().lower() == "true"


def _timestamp(t: SqlType, value) -> datetime:
    text = str(value).strip().replace("T", " ").rstrip("Z")
    for fmt in ("%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    raise CoercionError(f"Cannot convert '{value}' to {t}")


def _date(t: SqlType, value) -> date:
    return _timestamp(t, value).date()


def _time(t: SqlType, value) -> time:
    for fmt in ("%H:%M:%S.%f", "%H:%M:%S"):
        try:
            return datetime.strptime(str(value).strip(), fmt).time()
        except ValueError:
            continue
    raise CoercionError(f"Cannot convert '{value}' to {t}")


def _binary(t: SqlType, value) -> bytes:
    import base64
    import binascii

    try:
        return base64.b64decode(str(value), validate=True)
    except (binascii.Error, ValueError):
        raise CoercionError(f"Cannot convert '{value}' to {t}: not BASE64") from None


_COERCE = {
    "VARCHAR": _text, "CHAR": _text, "TINYINT": _integer, "SMALLINT": _integer, "INTEGER": _integer,
    "BIGINT": _integer, "DOUBLE": _floating, "REAL": _floating, "DECIMAL": _decimal, "BOOLEAN": _boolean,
    "TIMESTAMP": _timestamp, "DATE": _date, "TIME": _time, "BINARY": _binary, "VARBINARY": _binary,
}


def to_json_value(value):
    """A column value as it appears in a JSON or CSV output record."""
    if isinstance(value, datetime):
        return value.strftime(TIMESTAMP_FORMAT)[:-3]
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bytes):
        import base64

        return base64.b64encode(value).decode()
    return value
