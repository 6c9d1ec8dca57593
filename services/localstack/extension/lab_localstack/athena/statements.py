"""One Athena statement: its StatementType/SubstatementType, and its execution
(SELECT on the engine, CTAS (ctas.py), INSERT INTO (insert.py), UNLOAD (unload.py), views
(views.py), DDL and utility statements on the catalog)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import duckdb
from sqlglot import exp

from lab_localstack.athena import alter_table, ctas, ddl, engine, errors, insert, unload, views
from lab_localstack.athena.results import ResultSet


@dataclass(frozen=True)
class Statement:
    tree: exp.Expression
    sql: str
    statement_type: str          # DDL, DML or UTILITY
    substatement_type: str       # SELECT, CREATE_TABLE, CREATE_TABLE_AS_SELECT, ...


_COMMAND = re.compile(r"^\s*(MSCK\s+REPAIR\s+TABLE|SHOW|ALTER\s+TABLE)\b", re.IGNORECASE)


def classify(sql: str) -> Statement:
    if unload.is_unload(sql):
        return Statement(exp.Command(this="UNLOAD"), sql, "DML", "UNLOAD")
    tree = engine.parse(sql)
    if isinstance(tree, exp.Query):
        return Statement(tree, sql, "DML", "SELECT")
    if isinstance(tree, exp.Create):
        kind = (tree.args.get("kind") or "").upper()
        if kind in ("DATABASE", "SCHEMA"):
            return Statement(tree, sql, "DDL", "CREATE_DATABASE")
        if kind == "TABLE" and isinstance(tree.expression, exp.Query):
            return Statement(tree, sql, "DDL", "CREATE_TABLE_AS_SELECT")
        if kind == "TABLE":
            return Statement(tree, sql, "DDL", "CREATE_TABLE")
        if kind == "VIEW":
            return Statement(tree, sql, "DDL", "CREATE_VIEW")
        raise errors.QueryFailed(f"NOT_SUPPORTED: CREATE {kind} is not supported by the lab")
    if isinstance(tree, exp.Drop):
        return Statement(tree, sql, "DDL", f"DROP_{(tree.args.get('kind') or 'TABLE').upper()}")
    if isinstance(tree, exp.Describe):
        return Statement(tree, sql, "UTILITY", "DESCRIBE_TABLE")
    if isinstance(tree, (exp.Alter, exp.Command)) and _COMMAND.match(sql):
        head = _COMMAND.match(sql).group(1).upper().split()[0]
        kinds = {"MSCK": ("DDL", "MSCK_REPAIR_TABLE"), "SHOW": ("UTILITY", "SHOW"),
                 "ALTER": ("DDL", "ALTER_TABLE")}
        return Statement(tree, sql, *kinds[head])
    if isinstance(tree, exp.Insert) and not tree.args.get("overwrite"):
        return Statement(tree, sql, "DML", "INSERT")
    if isinstance(tree, (exp.Insert, exp.Update, exp.Delete, exp.Merge)):
        raise errors.QueryFailed("NOT_SUPPORTED: INSERT OVERWRITE/UPDATE/DELETE/MERGE are not supported by the lab "
                                 "(Hive tables are read-only in Athena's Hive catalog except INSERT INTO)")
    raise errors.QueryFailed(f"line 1:1: mismatched input '{sql.strip().split()[0] if sql.strip() else ''}'. "
                             "Expecting: 'ALTER', 'CREATE', 'DESCRIBE', 'DROP', 'MSCK', 'SELECT', 'SHOW', 'UNLOAD', 'WITH'")


def execute(stmt: Statement, con: duckdb.DuckDBPyConnection, clients: engine.Clients, database: str,
            query_id: str, output_location: str | None, work_dir: Path) -> ResultSet:
    tree, kind = stmt.tree, stmt.substatement_type
    if kind == "SELECT":
        return engine.run_select(con, clients, tree, database)
    if kind == "CREATE_TABLE_AS_SELECT":
        return ctas.run(con, clients, tree, database, query_id, output_location, work_dir)
    if kind == "INSERT":
        return insert.run(con, clients, tree, database, query_id, work_dir)
    if kind == "UNLOAD":
        return unload.run(con, clients, stmt.sql, database, query_id, work_dir)
    if kind == "CREATE_DATABASE":
        return ddl.create_database(clients, tree)
    if kind == "CREATE_TABLE":
        return ddl.create_table(clients, tree, database)
    if kind == "CREATE_VIEW":
        return views.create(con, clients, tree, stmt.sql, database)
    if kind == "DROP_VIEW":
        return views.drop(clients, tree, database)
    if kind.startswith("DROP_"):
        return ddl.drop(clients, tree, database)
    if kind == "DESCRIBE_TABLE":
        return ddl.describe(clients, tree, database)
    if kind == "MSCK_REPAIR_TABLE":
        return ddl.msck_repair(clients, stmt.sql.strip().rstrip(";").split()[-1].strip("`\""), database)
    if kind == "SHOW" and views.handles_show(stmt.sql):
        return views.show(clients, stmt.sql, database)
    if kind == "SHOW":
        return ddl.show(clients, stmt.sql, database)
    if alter_table.handles(tree):
        return alter_table.run(clients, tree, database)
    return ddl.alter_partitions(clients, stmt.sql, database)
