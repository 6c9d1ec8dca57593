"""Glue (Hive) column types as Arrow types, and JSON values coerced to them.

Type strings are Hive's as Glue stores them: string, char(n), varchar(n), tinyint,
smallint, int/integer, bigint, float, double, decimal(p,s), boolean, timestamp,
date, binary, array<T>, map<K,V>, struct<name:T,...>. Coercion follows the JSON
SerDes' leniency: numbers and booleans given as strings are parsed, any scalar fits
a string column; a value that does not fit raises ConversionError.
"""
from __future__ import annotations

import base64
import decimal
import json
import re
from collections.abc import Callable
from datetime import UTC, date, datetime

import pyarrow as pa

_INT_RANGES = {"tinyint": 8, "smallint": 16, "int": 32, "integer": 32, "bigint": 64}
_DECIMAL = re.compile(r"decimal\s*\(\s*(\d+)\s*,\s*(\d+)\s*\)")


class ConversionError(ValueError):
    """A value (or record) does not fit the table's schema."""


def split_top_level(text: str, separator: str = ",") -> list[str]:
    """Split on separators outside <...> and (...)."""
    parts, depth, current = [], 0, []
    for char in text:
        if char in "<(":
            depth += 1
        elif char in ">)":
            depth -= 1
        if char == separator and depth == 0:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    if current or parts:
        parts.append("".join(current).strip())
    return parts


def arrow_type(glue_type: str) -> pa.DataType:
    """The Arrow type of a Glue type string; ValueError for an unknown type."""
    t = glue_type.strip()
    lower = t.lower()
    if lower in ("string",) or lower.startswith(("varchar", "char")):
        return pa.string()
    if lower in _INT_RANGES:
        return {8: pa.int8(), 16: pa.int16(), 32: pa.int32(), 64: pa.int64()}[_INT_RANGES[lower]]
    if lower == "float":
        return pa.float32()
    if lower == "double":
        return pa.float64()
    if lower == "boolean":
        return pa.bool_()
    if lower == "timestamp":
        return pa.timestamp("ms")
    if lower == "date":
        return pa.date32()
    if lower == "binary":
        return pa.binary()
    if lower == "decimal":
        return pa.decimal128(10, 0)
    match = _DECIMAL.fullmatch(lower)
    if match:
        return pa.decimal128(int(match.group(1)), int(match.group(2)))
    if lower.startswith("array<") and lower.endswith(">"):
        return pa.list_(arrow_type(t[6:-1]))
    if lower.startswith("map<") and lower.endswith(">"):
        key, value = split_top_level(t[4:-1])
        return pa.map_(arrow_type(key), arrow_type(value))
    if lower.startswith("struct<") and lower.endswith(">"):
        fields = []
        for part in split_top_level(t[7:-1]):
            name, _, inner = part.partition(":")
            fields.append(pa.field(name.strip().lower(), arrow_type(inner)))
        return pa.struct(fields)
    raise ValueError(f"unsupported Glue column type {glue_type!r}")


def arrow_schema(columns: list[dict]) -> pa.Schema:
    """Glue StorageDescriptor.Columns ([{Name, Type}]) as an Arrow schema (names lower case, as Hive)."""
    return pa.schema([pa.field(c["Name"].lower(), arrow_type(c["Type"])) for c in columns])


# --- values ---------------------------------------------------------------------------
def _integer(value, bits: int) -> int:
    if isinstance(value, bool):
        raise ConversionError(f"boolean {value} is not an integer")
    if isinstance(value, float):
        if not value.is_integer():
            raise ConversionError(f"{value} is not an integer")
        value = int(value)
    elif isinstance(value, str):
        try:
            value = int(value.strip())
        except ValueError:
            raise ConversionError(f"{value!r} is not an integer") from None
    elif not isinstance(value, int):
        raise ConversionError(f"{type(value).__name__} is not an integer")
    if not -(1 << (bits - 1)) <= value < (1 << (bits - 1)):
        raise ConversionError(f"{value} is out of range for a {bits}-bit integer")
    return value


def _floating(value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ConversionError(f"{value!r} is not a number")
    try:
        return float(value)
    except ValueError:
        raise ConversionError(f"{value!r} is not a number") from None


def _boolean(value) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise ConversionError(f"{value!r} is not a boolean")


def _text(value) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def _decimal(value, dtype: pa.Decimal128Type) -> decimal.Decimal:
    try:
        number = decimal.Decimal(str(value))
    except decimal.InvalidOperation:
        raise ConversionError(f"{value!r} is not a decimal") from None
    quantized = number.quantize(decimal.Decimal(1).scaleb(-dtype.scale), rounding=decimal.ROUND_HALF_UP)
    if len(quantized.as_tuple().digits) > dtype.precision:
        raise ConversionError(f"{value} does not fit decimal({dtype.precision},{dtype.scale})")
    return quantized


def _date(value) -> date:
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError:
            pass
    elif isinstance(value, int) and not isinstance(value, bool):
        return date.fromordinal(date(1970, 1, 1).toordinal() + value)
    raise ConversionError(f"{value!r} is not a date (yyyy-MM-dd)")


def coerce(value, dtype: pa.DataType, parse_timestamp: Callable[[object], datetime]):
    """A JSON value as a Python value of the Arrow type (None stays None)."""
    if value is None:
        return None
    if pa.types.is_string(dtype):
        return _text(value)
    if pa.types.is_integer(dtype):
        return _integer(value, dtype.bit_width)
    if pa.types.is_floating(dtype):
        return _floating(value)
    if pa.types.is_boolean(dtype):
        return _boolean(value)
    if pa.types.is_timestamp(dtype):
        return parse_timestamp(value)
    if pa.types.is_date(dtype):
        return _date(value)
    if pa.types.is_decimal(dtype):
        return _decimal(value, dtype)
    if pa.types.is_binary(dtype):
        try:
            return base64.b64decode(value, validate=True) if isinstance(value, str) else bytes(value)
        except (ValueError, TypeError):
            raise ConversionError(f"{value!r} is not base64 binary") from None
    if pa.types.is_list(dtype):
        if not isinstance(value, list):
            raise ConversionError(f"{type(value).__name__} is not an array")
        return [coerce(v, dtype.value_type, parse_timestamp) for v in value]
    if pa.types.is_map(dtype):
        if not isinstance(value, dict):
            raise ConversionError(f"{type(value).__name__} is not a map")
        return [(coerce(k, dtype.key_type, parse_timestamp), coerce(v, dtype.item_type, parse_timestamp))
                for k, v in value.items()]
    if pa.types.is_struct(dtype):
        if not isinstance(value, dict):
            raise ConversionError(f"{type(value).__name__} is not a struct")
        lowered = {k.lower(): v for k, v in value.items()}
        return {f.name: coerce(lowered.get(f.name), f.type, parse_timestamp) for f in dtype}
    raise ConversionError(f"unsupported type {dtype}")


def epoch_to_datetime(number: float) -> datetime:
    """Epoch seconds, or milliseconds when the number is too large for seconds (OpenX's rule)."""
    seconds = number / 1000 if abs(number) >= 1e11 else number
    return datetime.fromtimestamp(seconds, tz=UTC)
