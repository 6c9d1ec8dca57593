"""Athena on Trino: which engine a work group runs on, and running a statement on a Trino
coordinator through its REST protocol (the `trino` client: POST /v1/statement, nextUri).

A work group's engine is its tag `lab:engine` (`duckdb` or `trino`), else `LAB_ATHENA_ENGINE`
(default `duckdb`). Trino is the one at `LAB_TRINO_URL` (e.g. the coordinator `labctl.trino_server`
starts, or a cluster), whose catalog `awsdatacatalog` is a Hive connector over the lab's Glue and
S3. As in Athena, SELECT, CTAS, INSERT INTO and views run on Trino, and the Hive DDL (CREATE
EXTERNAL TABLE, MSCK REPAIR, ALTER TABLE ... PARTITION, SHOW, DESCRIBE, DROP TABLE) on the
lab's catalog code. A Trino failure is Athena's `<ERROR_NAME>: line L:C: message`.
"""
from __future__ import annotations

import logging
import os
import re
import threading
from urllib.parse import urlsplit

from sqlglot import exp

from lab_localstack.athena import errors, results, trino_writes

LOG = logging.getLogger(__name__)
ENGINE_TAG = "lab:engine"
ENGINES = ("duckdb", "trino")
CATALOG = "awsdatacatalog"
# Statements that Athena runs on its Trino engine (the others are Hive DDL)
ON_TRINO = ("SELECT", "CREATE_TABLE_AS_SELECT", "INSERT", "CREATE_VIEW", "DROP_VIEW")


def engine_for(tags: dict[str, str] | None) -> str:
    """The engine of a work group: its `lab:engine` tag, else LAB_ATHENA_ENGINE, else duckdb."""
    chosen = (tags or {}).get(ENGINE_TAG) or os.environ.get("LAB_ATHENA_ENGINE") or "duckdb"
    return chosen.strip().lower()


def check_engine(name: str) -> None:
    if name not in ENGINES:
        raise errors.QueryFailed(f"NOT_SUPPORTED: the work group's engine '{name}' (tag {ENGINE_TAG} or "
                                 f"LAB_ATHENA_ENGINE) is not one of {', '.join(ENGINES)}")


def trino_url() -> str:
    url = os.environ.get("LAB_TRINO_URL", "").strip()
    if not url:
        raise errors.QueryFailed("GENERIC_INTERNAL_ERROR: the work group runs on Trino but LAB_TRINO_URL is not set "
                                 "(start one with `make trino-up`, or point LAB_TRINO_URL at a cluster)",
                                 errors.TYPE_INTERNAL, errors.CATEGORY_SYSTEM)
    return url


def _athena_type(trino_type: str) -> str:
    """ColumnInfo.Type: Trino's type without its parameters (`varchar(5)` -> `varchar`)."""
    base = re.split(r"[(\s]", trino_type.strip(), maxsplit=1)[0].lower()
    if trino_type.startswith("timestamp") and "with time zone" in trino_type:
        return "timestamp with time zone"
    return base


def _fields(trino_type: str) -> list[tuple[str, str]]:
    """The (name, type) fields of `row(x integer, y row(a varchar))`."""
    inner, depth, start, out = trino_type[trino_type.index("(") + 1:-1], 0, 0, []
    for i, ch in enumerate(inner + ","):
        depth += ch == "("
        depth -= ch == ")"
        if ch == "," and depth == 0:
            name, _, typ = inner[start:i].strip().partition(" ")
            out.append((name.strip('"'), typ.strip()))
            start = i + 1
    return out


def _value(value, trino_type: str):
    """A value as Trino's CLI (and Athena's result file) prints it. Values come as Trino sends
    them (the client's legacy_primitive_types): temporal and decimal values already as text."""
    if value is None:
        return None
    if trino_type.startswith("row(") and isinstance(value, (list, tuple)):
        fields = _fields(trino_type)
        return "{" + ", ".join(f"{name}={'null' if v is None else _value(v, typ)}"
                               for (name, typ), v in zip(fields, value)) + "}"
    if trino_type == "real" and isinstance(value, float):
        return repr(float(f"{value:.7g}")) if abs(value) < 1e7 else results.java_double(value)
    return results.format_value(value)


class Cancellable:
    """The running Trino cursor of an execution, so that StopQueryExecution cancels it."""

    def __init__(self) -> None:
        self._cursor = None
        self._lock = threading.Lock()
        self.cancelled = False

    def attach(self, cursor) -> None:
        with self._lock:
            self._cursor = cursor
            if self.cancelled:
                cursor.cancel()

    def cancel(self) -> None:
        with self._lock:
            self.cancelled = True
            if self._cursor is not None:
                try:
                    self._cursor.cancel()
                except Exception as exc:  # noqa: BLE001 - best effort: the query may have ended meanwhile
                    LOG.debug("Trino cancel: %s", exc)


def failure(exc: Exception) -> errors.QueryFailed:
    """A Trino error as Athena reports it (StateChangeReason and AthenaError)."""
    from trino import exceptions as trino_errors

    if isinstance(exc, trino_errors.TrinoQueryError):
        name, message = exc.error_name or "GENERIC_INTERNAL_ERROR", exc.message or ""
        kind = exc.error_type or ""
        if kind == "USER_ERROR":
            return errors.QueryFailed(f"{name}: {message}")
        if kind == "EXTERNAL" and name.startswith("HIVE_"):
            return errors.QueryFailed(f"{name}: {message}", errors.TYPE_DATA)
        return errors.QueryFailed(f"{name}: {message}", errors.TYPE_INTERNAL, errors.CATEGORY_SYSTEM)
    return errors.QueryFailed(f"GENERIC_INTERNAL_ERROR: Trino at {os.environ.get('LAB_TRINO_URL')} "
                              f"did not answer: {type(exc).__name__}: {exc}", errors.TYPE_INTERNAL,
                              errors.CATEGORY_SYSTEM)


def run(sql: str, database: str, cancel: Cancellable | None = None,
        catalog_session: dict[str, str] | None = None) -> results.ResultSet:
    """Runs one statement on Trino (with the catalog's session properties `catalog_session`);
    SELECT rows with Athena's header row, a write's row count."""
    import trino

    parts = urlsplit(trino_url())
    conn = trino.dbapi.connect(host=parts.hostname, port=parts.port or 8080, http_scheme=parts.scheme or "http",
                               user="lab", catalog=CATALOG, schema=database, source="lab-athena",
                               timezone="UTC", request_timeout=300, legacy_primitive_types=True,
                               session_properties={f"{CATALOG}.{k}": v for k, v in (catalog_session or {}).items()})
    try:
        cursor = conn.cursor()
        if cancel is not None:
            cancel.attach(cursor)
        try:
            cursor.execute(sql.strip().rstrip(";"))
            rows = cursor.fetchall()
        except Exception as exc:
            if cancel is not None and cancel.cancelled:
                raise errors.QueryCancelled() from exc
            raise failure(exc) from exc
        description = cursor.description or []
        update_type = getattr(cursor, "update_type", None)
        trino_query_id = cursor.query_id
        scanned = ((cursor.stats or {}).get("physicalInputBytes") or (cursor.stats or {}).get("processedBytes") or 0)
    finally:
        conn.close()
    if update_type:
        result = results.ResultSet([], [], [], header_row=False)
        result.update_count = int(rows[0][0]) if rows and rows[0] and isinstance(rows[0][0], int) else None
    else:
        types = [d[1] for d in description]
        result = results.ResultSet([d[0] for d in description], [_athena_type(t) for t in types],
                                   [[_value(v, t) for v, t in zip(row, types)] for row in rows])
    result.data_scanned = int(scanned)
    result.extra["trino_query_id"] = trino_query_id
    return result


def _ctas_sql(sql: str, tree, clients, database: str, output_location: str | None,
              query_id: str) -> tuple[str, dict]:
    """The CTAS in Trino's terms (trino_writes.ctas) and its session properties. Athena writes a
    CTAS without external_location under `<OutputLocation>/tables/<id>/`; Trino would write
    under the schema's location (which a Glue database may not have)."""
    props = tree.args.get("properties")
    location = None
    for prop in (props.expressions if props else []):
        if type(prop) is exp.Property and prop.name.lower() == "external_location":
            location = prop.args["value"].name
        elif isinstance(prop, exp.LocationProperty):
            location = prop.this.name
    staging = f"{(output_location or '').rstrip('/')}/tables/{query_id}"
    session, changed = trino_writes.ctas(tree)
    if location is None:
        location, changed = staging + "/", True
        prop = exp.Property(this=exp.to_identifier("external_location"), value=exp.Literal.string(location))
        if tree.args.get("properties") is None:
            tree.set("properties", exp.Properties(expressions=[prop]))
        else:
            tree.args["properties"].append("expressions", prop)
    db, name = (tree.this.db or database).lower(), tree.this.name.lower()
    try:
        clients.glue.get_table(DatabaseName=db, Name=name)     # Trino answers: exists, or IF NOT EXISTS
    except clients.glue.exceptions.EntityNotFoundException:
        trino_writes.require_empty(clients.s3, db, name, location, staging)
    return (tree.sql(dialect="trino") if changed else sql), session


def _written_files(clients, query_id: str, location: str) -> list[str]:
    """The files a Trino write left under a location: Trino's Hive writer names each
    `<trino query id>_...`, or `0000<bucket>_0_<trino query id>` in a bucketed table."""
    from lab_localstack.athena import s3_objects

    bucket, prefix = s3_objects.split_uri(location)
    out = []
    for page in clients.s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix.rstrip("/") + "/"):
        out += [f"s3://{bucket}/{o['Key']}" for o in page.get("Contents", [])
                if query_id in o["Key"].rsplit("/", 1)[-1]]
    return out


def execute(sql: str, kind: str, tree, clients, database: str, query_id: str, output_location: str | None,
            cancel: Cancellable | None = None) -> results.ResultSet:
    """A statement Athena runs on Trino (ON_TRINO); writes report their data files."""
    session: dict[str, str] = {}
    if kind == "CREATE_TABLE_AS_SELECT" and tree is not None:
        sql, session = _ctas_sql(sql, tree, clients, database, output_location, query_id)
    outcome = run(sql, database, cancel, session)
    if kind in ("CREATE_TABLE_AS_SELECT", "INSERT") and tree is not None and outcome.extra.get("trino_query_id"):
        table = tree.this if kind == "CREATE_TABLE_AS_SELECT" else tree.find(exp.Table)
        db, name = (table.db or database).lower(), table.name.lower()
        glue_table = clients.glue.get_table(DatabaseName=db, Name=name)["Table"]
        location = glue_table["StorageDescriptor"]["Location"]
        outcome.data_files = _written_files(clients, outcome.extra["trino_query_id"], location)
    if kind == "CREATE_VIEW" and tree is not None:
        trino_writes.store_view_columns(clients.glue, (tree.this.db or database).lower(), tree.this.name.lower())
    if kind != "SELECT":
        outcome.header_row = False
    return outcome
