"""Type names across the three worlds: Glue/Hive column types (`string`,
`struct<a:int>`), DuckDB's, and the Athena (Trino) names of ResultSetMetadata
(`varchar`, `integer`, `row`...). Glue's own type names (parsing, DDL and DuckDB to
Glue) are lab_localstack.hive's, shared with Glue's crawlers."""
from __future__ import annotations

from functools import lru_cache

from sqlglot import exp

from lab_localstack.hive import parse_glue_type

_DUCKDB_TO_ATHENA = {
    "VARCHAR": "varchar", "BOOLEAN": "boolean", "TINYINT": "tinyint", "SMALLINT": "smallint",
    "INTEGER": "integer", "BIGINT": "bigint", "HUGEINT": "bigint", "FLOAT": "real", "DOUBLE": "double",
    "DATE": "date", "TIMESTAMP": "timestamp", "TIMESTAMP WITH TIME ZONE": "timestamp with time zone",
    "TIME": "time", "BLOB": "varbinary", "INTERVAL": "interval day to second", "UUID": "uuid",
    "UTINYINT": "smallint", "USMALLINT": "integer", "UINTEGER": "bigint", "UBIGINT": "decimal",
    "JSON": "json", "TIMESTAMP_NS": "timestamp", "TIMESTAMP_MS": "timestamp", "TIMESTAMP_S": "timestamp",
}


@lru_cache(maxsize=1024)   # called per column per partition per query; types are few
def is_nested(glue_type: str) -> bool:
    return parse_glue_type(glue_type).this in (exp.DataType.Type.STRUCT, exp.DataType.Type.ARRAY,
                                               exp.DataType.Type.MAP)


@lru_cache(maxsize=1024)
def glue_to_duckdb(glue_type: str) -> str:
    """DuckDB type for a Glue column type (`struct<a:int>` -> `STRUCT(a INT)`)."""
    return parse_glue_type(glue_type).sql(dialect="duckdb")


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
