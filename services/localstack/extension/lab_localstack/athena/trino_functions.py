"""Trino functions DuckDB lacks (or names differently) and sqlglot leaves as they are,
defined as DuckDB macros on every query's connection with Trino's semantics."""
from __future__ import annotations

import duckdb

_URL = r"'^([a-zA-Z][a-zA-Z0-9+.-]*)://(?:[^@/?#]*@)?(\[[^\]]*\]|[^:/?#]*)(?::([0-9]+))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$'"

MACROS = {
    "url_extract_protocol(u)": f"nullif(regexp_extract(u, {_URL}, 1), '')",
    "url_extract_host(u)": f"nullif(regexp_extract(u, {_URL}, 2), '')",
    "url_extract_port(u)": f"TRY_CAST(nullif(regexp_extract(u, {_URL}, 3), '') AS BIGINT)",
    "url_extract_path(u)": f"CASE WHEN regexp_matches(u, {_URL}) THEN regexp_extract(u, {_URL}, 4) END",
    "url_extract_query(u)": f"nullif(regexp_extract(u, {_URL}, 5), '')",
    "url_extract_fragment(u)": f"nullif(regexp_extract(u, {_URL}, 6), '')",
    "url_extract_parameter(u, name)": (
        f"url_decode(nullif(regexp_extract('&' || regexp_extract(u, {_URL}, 5), "
        "'&' || regexp_escape(name) || '=([^&]*)', 1), ''))"),
}


def install(con: duckdb.DuckDBPyConnection) -> None:
    for signature, body in MACROS.items():
        con.execute(f"CREATE OR REPLACE TEMP MACRO {signature} AS {body}")
