"""Hive's facts, as the Glue Data Catalog stores them and both the lab's Glue (crawlers) and
Athena (DDL, CTAS, queries) use them: the SerDe and input/output format classes of each storage
format, and Glue/Hive column type names (`string`, `array<struct<a:int>>`), parsed through
sqlglot's Hive dialect. Glue is Athena's catalog, so these live beside both, not in either."""
from __future__ import annotations

import re

import sqlglot
from sqlglot import exp

LAZY_SIMPLE = "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe"
TEXT_IO = ("org.apache.hadoop.mapred.TextInputFormat", "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat")
PARQUET_SERDE = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
PARQUET_IO = ("org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
              "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat")
JSON_SERDE = "org.openx.data.jsonserde.JsonSerDe"
# STORED AS <format> -> (SerDe, InputFormat, OutputFormat)
STORED_AS = {"PARQUET": (PARQUET_SERDE, *PARQUET_IO), "TEXTFILE": (LAZY_SIMPLE, *TEXT_IO),
             "JSON": ("org.apache.hive.hcatalog.data.JsonSerDe", *TEXT_IO)}


def parse_glue_type(glue_type: str) -> exp.DataType:
    try:
        return exp.DataType.build(glue_type, dialect="hive")
    except (sqlglot.errors.ParseError, ValueError) as exc:
        raise ValueError(f"unknown type '{glue_type}'") from exc


def ddl_to_glue(data_type: exp.DataType) -> str:
    """A DDL column type as Glue stores it: lower case, no spaces (`array<struct<a:int>>`)."""
    text = data_type.sql(dialect="hive").lower()
    return re.sub(r"\s*([<>,:()])\s*", r"\1", text)


def duckdb_to_glue(duckdb_type: str) -> str:
    """Glue column type for a DuckDB column type (crawlers, CTAS)."""
    return ddl_to_glue(exp.DataType.build(str(duckdb_type), dialect="duckdb"))
