"""Athena views on the Glue catalog: CREATE [OR REPLACE] VIEW (the SELECT analysed on
the engine for its columns, then stored as Athena stores a Presto view, view_codec.py),
DROP VIEW [IF EXISTS], SHOW VIEWS [IN db] [LIKE 'regex'], SHOW CREATE VIEW. Querying a
view is engine.register_tables' business."""
from __future__ import annotations

import logging
import re

import duckdb
from botocore.exceptions import ClientError
from sqlglot import exp

from lab_localstack import hive
from lab_localstack.athena import engine, errors, view_codec
from lab_localstack.athena.engine import CATALOG, Clients
from lab_localstack.athena.results import ResultSet, text_result

LOG = logging.getLogger(__name__)
_NAME = r'(?:"(?:[^"]|"")+"|`[^`]+`|[\w$]+)'
_BODY = re.compile(rf"^\s*CREATE\s+(?:OR\s+REPLACE\s+)?VIEW\s+{_NAME}(?:\s*\.\s*{_NAME}){{0,2}}\s+"
                   r"(?:COMMENT\s+'(?:[^']|'')*'\s+)?(?:SECURITY\s+\w+\s+)?AS\s+(?P<body>.*?)\s*;?\s*$",
                   re.IGNORECASE | re.DOTALL)
_SHOW = re.compile(r"^\s*SHOW\s+(?:(?P<create>CREATE\s+VIEW)\s+(?P<name>\S+)|VIEWS"
                   r"(?:\s+(?:IN|FROM)\s+(?P<db>\S+))?(?:\s+LIKE\s+'(?P<like>(?:[^']|'')*)')?)\s*;?\s*$",
                   re.IGNORECASE)


def _existing(clients: Clients, db: str, name: str) -> dict | None:
    """The catalog's table or view, None if there is none (a missing database fails)."""
    try:
        return engine.get_table(clients, db, name)
    except errors.QueryFailed as exc:
        if exc.reason.startswith("TABLE_NOT_FOUND"):
            return None
        raise


def _body(sql: str, create: exp.Create) -> str:
    match = _BODY.match(sql)
    return match.group("body") if match else create.expression.sql(dialect="athena")


def _column(name: str, duckdb_type: str) -> view_codec.ViewColumn:
    text = "BIGINT" if str(duckdb_type).upper() == "HUGEINT" else str(duckdb_type)
    trino = exp.DataType.build(text, dialect="duckdb").sql(dialect="trino").lower()
    return view_codec.ViewColumn(name, trino, hive.duckdb_to_glue(text))


def create(con: duckdb.DuckDBPyConnection, clients: Clients, create_node: exp.Create, sql: str,
           database: str) -> ResultSet:
    """CREATE [OR REPLACE] VIEW: the query must analyse (its tables exist, its columns resolve)."""
    target = create_node.this
    if isinstance(target, exp.Schema):
        raise errors.QueryFailed("NOT_SUPPORTED: line 1:1: Column aliases are not supported in CREATE VIEW; "
                                 "name the columns in the SELECT")
    db, name = (target.db or database).lower(), target.name.lower()
    columns = engine.analysed(con, clients, create_node.expression.copy(), database, new_relation=True).columns
    view = view_codec.View(_body(sql, create_node), database.lower(), [_column(n.lower(), t) for n, t in columns])
    tinput = view_codec.table_input(name, view)
    existing = _existing(clients, db, name)
    if existing is not None and not view_codec.is_view(existing):
        raise errors.QueryFailed(f"TABLE_ALREADY_EXISTS: line 1:1: Table already exists: '{CATALOG}.{db}.{name}'")
    if existing is not None and not create_node.args.get("replace"):
        raise errors.QueryFailed(f"TABLE_ALREADY_EXISTS: line 1:1: View already exists: '{CATALOG}.{db}.{name}'")
    try:
        if existing is None:
            clients.glue.create_table(DatabaseName=db, TableInput=tinput)
        else:
            clients.glue.update_table(DatabaseName=db, TableInput=tinput)
    except ClientError as exc:
        raise errors.QueryFailed(f"FAILED: {exc.response['Error']['Code']}: {exc.response['Error']['Message']}",
                                 error_type=errors.TYPE_DDL) from exc
    LOG.debug("view %s.%s: %s", db, name, view.sql)
    return text_result("result", [])


def drop(clients: Clients, drop_node: exp.Drop, database: str) -> ResultSet:
    target = drop_node.this or (drop_node.args.get("tables") or [None])[0]
    db, name = (target.db or database).lower(), target.name.lower()
    existing = _existing(clients, db, name)
    if existing is None or not view_codec.is_view(existing):
        if drop_node.args.get("exists") and existing is None:
            return text_result("result", [])
        full = f"{CATALOG}.{db}.{name}"
        if existing is not None:
            raise errors.QueryFailed(f"TABLE_NOT_FOUND: line 1:1: View '{full}' does not exist, but a table with "
                                     f"that name exists. Did you mean DROP TABLE {full}?")
        raise errors.QueryFailed(f"TABLE_NOT_FOUND: line 1:1: View '{full}' does not exist")
    clients.glue.delete_table(DatabaseName=db, Name=name)
    return text_result("result", [])


def handles_show(sql: str) -> bool:
    return bool(_SHOW.match(sql))


def _hive_like(pattern: str) -> re.Pattern:
    """SHOW ... LIKE: `*` any characters, `|` alternatives, case-insensitive (Hive's rule)."""
    alternatives = [re.escape(p.strip()).replace(r"\*", ".*") for p in pattern.split("|")]
    return re.compile("^(?:" + "|".join(alternatives) + ")$", re.IGNORECASE)


def show(clients: Clients, sql: str, database: str) -> ResultSet:
    match = _SHOW.match(sql)
    if match.group("create"):
        raw = match.group("name").replace("`", "").replace('"', "")
        db, _, name = raw.lower().rpartition(".")
        db = db.rpartition(".")[2] or database.lower()
        table = _existing(clients, db, name)
        if table is None:
            raise errors.QueryFailed(f"TABLE_NOT_FOUND: line 1:18: View '{CATALOG}.{db}.{name}' does not exist")
        if not view_codec.is_view(table):
            raise errors.QueryFailed(f"NOT_SUPPORTED: line 1:1: Relation '{CATALOG}.{db}.{name}' is a table, "
                                     "not a view")
        view = view_codec.decode(table)
        text = f'CREATE VIEW "{CATALOG}"."{db}"."{name}" AS\n{view.sql}'
        return text_result("Create View", text.splitlines())
    db = (match.group("db") or database).strip('`"').lower()
    try:
        pages = list(clients.glue.get_paginator("get_tables").paginate(DatabaseName=db))
    except ClientError as exc:
        raise errors.schema_not_found(CATALOG, db) from exc
    names = sorted(t["Name"] for page in pages for t in page["TableList"] if view_codec.is_view(t))
    if match.group("like") is not None:
        pattern = _hive_like(match.group("like").replace("''", "'"))
        names = [n for n in names if pattern.match(n)]
    return text_result("views", names)
