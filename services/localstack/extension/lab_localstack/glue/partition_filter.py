"""GetPartitions' `Expression`: a SQL-like predicate over the partition keys
(`year = '2026' AND month BETWEEN '01' AND '06'`), evaluated by DuckDB.

The expression is parsed with sqlglot first (a predicate only: no subqueries, no
statements), so that a bad filter is an InvalidInputException naming the problem.
"""
from __future__ import annotations

import duckdb
import sqlglot
from sqlglot import exp

from lab_localstack.aws_api import GLUE

_NUMERIC = {"tinyint", "smallint", "int", "integer", "bigint"}


def _duckdb_type(glue_type: str) -> str:
    t = glue_type.lower()
    if t in _NUMERIC:
        return "BIGINT"
    if t == "date":
        return "DATE"
    return "VARCHAR"


def _parse(expression: str) -> exp.Expression:
    try:
        tree = sqlglot.parse_one(expression, read="athena", into=exp.Condition)
    except sqlglot.errors.ParseError as exc:
        raise GLUE.invalid(f"Unsupported expression '{expression}': {exc.errors[0]['description']}") from exc
    if tree.find(exp.Subquery, exp.Select, exp.Query):
        raise GLUE.invalid(f"Unsupported expression '{expression}'")
    return tree


def matching(expression: str, partition_keys: list[dict], partitions: list[dict]) -> list[dict]:
    """The partitions whose values satisfy the expression."""
    tree = _parse(expression)
    known = {k["Name"].lower() for k in partition_keys}
    for col in tree.find_all(exp.Column):
        if col.name.lower() not in known:
            raise GLUE.invalid(f"Unknown column '{col.name}' in expression '{expression}'")
    con = duckdb.connect()
    try:
        cols = ", ".join(f'"{k["Name"].lower()}" {_duckdb_type(k.get("Type", "string"))}' for k in partition_keys)
        con.execute(f"CREATE TABLE p (idx BIGINT, {cols})")
        if partitions:
            marks = ", ".join("?" for _ in range(len(partition_keys) + 1))
            con.executemany(f"INSERT INTO p VALUES ({marks})",
                            [[i, *p["Values"]] for i, p in enumerate(partitions)])
        predicate = tree.sql(dialect="duckdb")
        try:
            rows = con.execute(f"SELECT idx FROM p WHERE {predicate} ORDER BY idx").fetchall()
        except duckdb.Error as exc:
            raise GLUE.invalid(f"Unsupported expression '{expression}': {exc}") from exc
    finally:
        con.close()
    return [partitions[r[0]] for r in rows]
