"""Delta's DELETE and UPDATE with subqueries in their condition, as Databricks runs them.

Open-source Delta Lake refuses them (DELTA_UNSUPPORTED_SUBQUERY; delta-io/delta #730, #826,
#5760). Delta 4.4 has a gate for `EXISTS` in DELETE (`delete.allowExistsSubquery`, on in
lab_localstack.spark_conf); for every other form (`IN (subquery)`, scalar subqueries, UPDATE)
the statement is run in two steps here, with the same rows changed:

1. Spark plans the condition as a query: `SELECT DISTINCT <target>.* FROM <target> WHERE <cond>`
   (subqueries of every kind, correlated or not, are allowed in a SELECT);
2. Delta deletes (or updates) the rows whose values are one of those rows, through Delta's own
   DeltaTable API, so DESCRIBE HISTORY shows a DELETE (or UPDATE) whose predicate is that set.

The condition must be a function of the row's values (and other tables): true for any
condition without input_file_name(), `_metadata` or a non-deterministic function, which are
refused with a clear error instead of deleting the wrong rows.
"""
from __future__ import annotations

import logging
import re

LOG = logging.getLogger(__name__)
UNSUPPORTED = "DELTA_UNSUPPORTED_SUBQUERY"
_TARGET = r"(?P<table>(?:\w+\.)?(?:`[^`]+`|\w+)(?:\.\w+)?)(?:\s+(?:AS\s+)?(?P<alias>(?!WHERE\b|SET\b)\w+))?"
_DELETE = re.compile(r"^\s*DELETE\s+FROM\s+" + _TARGET + r"\s+WHERE\s+(?P<cond>.+)$", re.IGNORECASE | re.DOTALL)
_UPDATE = re.compile(r"^\s*UPDATE\s+" + _TARGET + r"\s+SET\s+(?P<rest>.+)$", re.IGNORECASE | re.DOTALL)
_ROW_DEPENDENT = re.compile(r"\b(input_file_name|input_file_block_\w+|_metadata|rand|randn|uuid|"
                            r"monotonically_increasing_id)\b", re.IGNORECASE)


class DeltaDmlError(ValueError):
    """A DELETE/UPDATE with a subquery the lab cannot run with the same rows changed."""


def sql(spark, statement: str):
    """spark.sql(statement), with Delta's refused DELETE/UPDATE-with-subquery run as described."""
    from pyspark.errors import AnalysisException

    try:
        return spark.sql(statement)
    except AnalysisException as error:
        if UNSUPPORTED not in str(error):
            raise
    delete, update = _DELETE.match(statement), _UPDATE.match(statement)
    if delete:
        return _delete(spark, delete["table"], delete["alias"], delete["cond"])
    if update:
        assignments, cond = _split_where(update["rest"])
        if cond is None:
            raise DeltaDmlError("an UPDATE whose SET holds a subquery is not supported by the lab")
        return _update(spark, update["table"], update["alias"], assignments, cond)
    raise DeltaDmlError(f"{UNSUPPORTED}: the lab rewrites DELETE/UPDATE ... WHERE <subquery> only: {statement[:200]}")


def _matching_rows(spark, table: str, alias: str | None, cond: str):
    if _ROW_DEPENDENT.search(cond):
        raise DeltaDmlError(f"{UNSUPPORTED}: a condition with a subquery must depend on the row's values only "
                            f"(not input_file_name(), _metadata or random functions): {cond[:200]}")
    target = f"{table} {alias}" if alias else table
    columns = f"{alias}.*" if alias else "*"
    return spark.sql(f"SELECT DISTINCT {columns} FROM {target} WHERE {cond}")


def _row_set(matched):
    """A Column true for the target rows equal to one of `matched`'s rows (NULLs equal)."""
    from pyspark.sql import functions as F

    rows = matched.collect()
    if not rows:
        return F.lit(False), 0
    fields = matched.schema.fields
    key = F.struct(*[F.col(f"`{f.name}`") for f in fields])
    values = [F.struct(*[F.lit(value).cast(f.dataType).alias(f.name) for value, f in zip(row, fields)])
              for row in rows]
    return key.isin(values), len(rows)


def _delta_table(spark, table: str, alias: str | None):
    from delta.tables import DeltaTable

    path = re.fullmatch(r"delta\.`([^`]+)`", table, re.IGNORECASE)
    found = DeltaTable.forPath(spark, path[1]) if path else DeltaTable.forName(spark, table)
    return found.alias(alias) if alias else found


def _last_metrics(spark, table: str):
    return spark.sql(f"DESCRIBE HISTORY {table} LIMIT 1").select("operationMetrics").first()[0] or {}


def _delete(spark, table: str, alias: str | None, cond: str):
    matched = _matching_rows(spark, table, alias, cond)
    condition, distinct = _row_set(matched)
    _delta_table(spark, table, None).delete(condition)
    deleted = int(_last_metrics(spark, table).get("numDeletedRows", 0))
    LOG.info("DELETE FROM %s with a subquery: %d distinct rows matched, %d rows deleted", table, distinct, deleted)
    return spark.createDataFrame([(deleted,)], "num_affected_rows long")


def _update(spark, table: str, alias: str | None, assignments: str, cond: str):
    from pyspark.sql import functions as F

    matched = _matching_rows(spark, table, alias, cond)
    condition, _ = _row_set(matched)
    sets = {}
    for assignment in _split_top_level(assignments, ","):
        column, sep, expression = assignment.partition("=")
        if not sep:
            raise DeltaDmlError(f"UPDATE: cannot read the assignment {assignment!r}")
        column = column.strip().split(".")[-1].strip("`")
        sets[column] = F.expr(_unqualify(expression.strip(), alias or table))
    _delta_table(spark, table, None).update(condition, sets)
    updated = int(_last_metrics(spark, table).get("numUpdatedRows", 0))
    return spark.createDataFrame([(updated,)], "num_affected_rows long")


def _unqualify(expression: str, qualifier: str) -> str:
    return re.sub(rf"\b{re.escape(qualifier)}\.", "", expression)


def _scan(text: str):
    """(index, char, depth) for every character outside quotes."""
    depth, i = 0, 0
    while i < len(text):
        char = text[i]
        if char in "'\"`":
            end = text.find(char, i + 1)
            i = len(text) if end < 0 else end + 1
            continue
        depth += char == "("
        depth -= char == ")"
        yield i, char, depth
        i += 1


def _split_top_level(text: str, separator: str) -> list[str]:
    parts, start = [], 0
    for i, char, depth in _scan(text):
        if char == separator and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    return [p for p in parts + [text[start:]] if p.strip()]


def _split_where(rest: str) -> tuple[str, str | None]:
    for i, _char, depth in _scan(rest):
        if depth == 0 and re.match(r"\bWHERE\b", rest[i:i + 6], re.IGNORECASE) and (i == 0 or not rest[i - 1].isalnum()):
            return rest[:i], rest[i + 5:]
    return rest, None
