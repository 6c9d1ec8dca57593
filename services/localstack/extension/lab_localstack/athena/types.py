"""Type names across the three worlds: Glue/Hive column types (`string`,
`struct<a:int>`), DuckDB's, and the Athena (Trino) names of ResultSetMetadata
(`varchar`, `integer`, `row`...). Parsing goes through sqlglot's Hive types."""
from __future__ import annotations

import re

import sqlglot
from sqlglot import exp

_DUCKDB_TO_ATHENA = {
    "VARCHAR": "varchar", "BOOLEAN": "boolean", "TINYINT": "tinyint", "SMALLINT": "smallint",
    "INTEGER": "integer", "BIGINT": "bigint", "HUGEINT": "bigint", "FLOAT": "real", "DOUBLE": "double",
    "DATE": "date", "TIMESTAMP": "timestamp", "TIMESTAMP WITH TIME ZONE": "timestamp with time zone",
    "TIME": "time", "BLOB": "varbinary", "INTERVAL": "interval day to second", "UUID": "uuid",
    "UTINYINT": "smallint", "USMALLINT": "integer", "UINTEGER": "bigint", "UBIGINT": "decimal",
    "JSON": "json", "TIMESTAMP_NS": "timestamp", "TIMESTAMP_MS": "timestamp", "TIMESTAMP_S": "timestamp",
}


def parse_glue_type(glue_type: str) -> exp.DataType:
    try:
        return exp.DataType.build(glue_type, dialect="hive")
    except (sqlglot.errors.ParseError, ValueError) as exc:
        raise ValueError(f"unknown type '{glue_type}'") from exc


def is_nested(glue_type: str) -> bool:
    return parse_glue_type(glue_type).this in (exp.DataType.Type.STRUCT, exp.DataType.Type.ARRAY,
                                               exp.DataType.Type.MAP)


def glue_to_duckdb(glue_type: str) -> str:
    """DuckDB type for a Glue column type (`struct<a:int>` -> `STRUCT(a INT)`)."""
    return parse_glue_type(glue_type).sql(dialect="duckdb")


def ddl_to_glue(data_type: exp.DataType) -> str:
    """A DDL column type as Glue stores it: lower case, no spaces (`array<struct<a:int>>`)."""
    text = data_type.sql(dialect="hive").lower()
    return re.sub(r"\s*([<>,:()])\s*", r"\1", text)


def duckdb_to_athena(duckdb_type: str) -> str:
    """Athena's ColumnInfo.Type for a DuckDB result column type."""
    t = str(duckdb_type).upper()
    if t.startswith("DECIMAL"):
        return "decimal"
    if t.endswith("[]") or t.startswith("LIST"):
        return "array"
    if t.startswith("STRUCT"):
        return "row"
    if t.startswith("MAP"):
        return "map"
    return _DUCKDB_TO_ATHENA.get(t, "varchar")


def duckdb_to_glue(duckdb_type: str) -> str:
    """Glue column type for a DuckDB column type (crawlers, CTAS)."""
    return ddl_to_glue(exp.DataType.build(str(duckdb_type), dialect="duckdb"))
