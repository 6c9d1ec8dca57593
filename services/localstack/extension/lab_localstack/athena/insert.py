"""INSERT INTO a Hive table stored as Parquet, delimited text (LazySimpleSerDe) or JSON
(`INSERT INTO t [(cols)] SELECT ... | VALUES ...`):
the rows cast to the table's column types (partition columns last, as Athena orders
them), written as new files of the table's format (file_formats.py) in its location
(in `k=v/` folders for a partitioned table, whose new partitions are added to Glue),
reported for the data manifest. Other storage formats are refused with a reason."""
from __future__ import annotations

import logging
from pathlib import Path

import duckdb
from sqlglot import exp

from lab_localstack import hive
from lab_localstack.athena import engine, errors, file_formats, output_files, types
from lab_localstack.athena.results import ResultSet, text_result

LOG = logging.getLogger(__name__)
_NUMERIC = {"tinyint", "smallint", "integer", "bigint", "real", "double", "decimal"}


def _compatible(table_type: str, query_type: str) -> bool:
    """Trino's implicit coercions that INSERT accepts (a simplification: numbers to
    numbers, and identical types)."""
    return table_type == query_type or (table_type in _NUMERIC and query_type in _NUMERIC)


def _athena_types(con: duckdb.DuckDBPyConnection, glue_types: list[str]) -> list[str]:
    """Athena's names of Glue column types, through DuckDB's own names of them."""
    nulls = ", ".join(f"CAST(NULL AS {types.glue_to_duckdb(t)}) AS c{i}" for i, t in enumerate(glue_types))
    return [types.duckdb_to_athena(t) for _, t, *_ in con.execute(f"DESCRIBE SELECT {nulls}").fetchall()]


def run(con: duckdb.DuckDBPyConnection, clients: engine.Clients, insert: exp.Insert, database: str,
        query_id: str, work_dir: Path) -> ResultSet:
    """Runs the INSERT; the result's `data_files` are the S3 URIs written."""
    target = insert.this
    listed = [c.name.lower() for c in target.expressions] if isinstance(target, exp.Schema) else None
    table_node = target.this if isinstance(target, exp.Schema) else target
    db, name = (table_node.db or database).lower(), table_node.name.lower()
    table = engine.get_table(clients, db, name, table_node)
    storage = table.get("StorageDescriptor") or {}
    serde = (storage.get("SerdeInfo") or {}).get("SerializationLibrary") or ""
    ff = file_formats.of_table(table)
    if ff is None:
        raise errors.QueryFailed(f"NOT_SUPPORTED: the lab's INSERT INTO writes Parquet, delimited text "
                                 f"(LazySimpleSerDe) and JSON tables ('{db}.{name}' is stored with "
                                 f"{serde or 'no SerDe'})")
    keys = [k["Name"].lower() for k in table.get("PartitionKeys") or []]
    columns = [(c["Name"].lower(), c["Type"]) for c in storage.get("Columns", []) + table.get("PartitionKeys", [])]
    query = insert.expression
    if isinstance(query, exp.Values):
        query = exp.select("*").from_(query)
    if not isinstance(query, exp.Query):
        raise errors.QueryFailed("NOT_SUPPORTED: INSERT INTO needs a SELECT or VALUES")
    analysed = engine.analysed(con, clients, query, database)
    query = analysed.query
    query_types = [types.duckdb_to_athena(t) for _, t in analysed.columns]
    wanted = listed or [n for n, _ in columns]
    unknown = [c for c in wanted if c not in dict(columns)]
    if unknown:
        raise errors.QueryFailed(f"COLUMN_NOT_FOUND: line 1:1: Insert column name does not exist in target "
                                 f"table: {unknown[0]}")
    table_types = _athena_types(con, [dict(columns)[c] for c in wanted])
    if len(query_types) != len(wanted) or not all(map(_compatible, table_types, query_types)):
        raise errors.QueryFailed(f"TYPE_MISMATCH: line 1:1: Insert query has mismatched column types: "
                                 f"Table: [{', '.join(table_types)}], Query: [{', '.join(query_types)}]")
    position = {c: i for i, c in enumerate(wanted)}
    alias = exp.TableAlias(this=exp.to_identifier("q"),
                           columns=[exp.to_identifier(f"c{i}") for i in range(len(wanted))])
    casts = [exp.cast(exp.column(f"c{position[n]}") if n in position else exp.null(),
                      hive.parse_glue_type(t)).as_(n, quoted=True) for n, t in columns]
    rows = exp.select(*casts).from_(exp.Subquery(this=query, alias=alias))
    written = output_files.write(con, clients.s3, rows, storage.get("Location", ""), query_id, work_dir, ff, keys)
    _add_partitions(clients, db, name, storage, written.partitions)
    result = text_result("rows", [])
    result.update_count = written.rows
    result.data_files = written.uris
    return result


def _add_partitions(clients: engine.Clients, db: str, name: str, storage: dict,
                    partitions: list[tuple[list[str], str]]) -> None:
    for start in range(0, len(partitions), 100):
        answer = clients.glue.batch_create_partition(DatabaseName=db, TableName=name, PartitionInputList=[
            {"Values": values, "StorageDescriptor": {**storage, "Location": where}}
            for values, where in partitions[start:start + 100]])
        for error in answer.get("Errors", []):
            if error.get("ErrorDetail", {}).get("ErrorCode") != "AlreadyExistsException":
                LOG.warning("INSERT INTO %s.%s: partition %s not added: %s", db, name,
                            error.get("PartitionValues"), error.get("ErrorDetail"))
