"""Runs an Athena (Trino) SELECT on DuckDB: parse with sqlglot (read="athena"), resolve
every table in the Glue catalog (TABLE_NOT_FOUND otherwise), expose each as a view
over its S3 data (table_sources.py), translate to DuckDB's dialect, run, and turn the
engine's errors into Athena's reasons (COLUMN_NOT_FOUND with line:col, ...). `analysed`
does the same analysis for the queries of CTAS, INSERT INTO, UNLOAD and CREATE VIEW."""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb
import sqlglot
from botocore.exceptions import ClientError
from sqlglot import exp
from sqlglot.optimizer.annotate_types import annotate_types
from sqlglot.optimizer.qualify import qualify
from sqlglot.schema import MappingSchema

from lab_localstack import hive
from lab_localstack.athena import errors, projection, results, s3_objects, trino_functions
from lab_localstack.athena.table_sources import PartitionFiles, create_view
from lab_localstack.athena.view_codec import decode as decode_view
from lab_localstack.athena.view_codec import is_view

LOG = logging.getLogger(__name__)
CATALOG = "awsdatacatalog"


@dataclass
class Clients:
    glue: object
    s3: object
    cache: s3_objects.ObjectCache
    work_root: Path | None = None      # per-query work directories (CTAS files, spill)


def connect(readable: Path, work_dir: Path) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection for one query: UTC, Trino's missing functions, and no file
    access beyond the object cache and the query's work directory (so that SQL cannot
    reach the machine's files through DuckDB's own table functions)."""
    work_dir.mkdir(parents=True, exist_ok=True)
    readable.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.execute("SET TimeZone='UTC'")
    trino_functions.install(con)
    con.execute("SET temp_directory=?", [str(work_dir / "spill")])
    con.execute("SET allowed_directories=?", [[str(readable) + "/", str(work_dir) + "/"]])
    con.execute("SET enable_external_access=false")
    con.execute("SET lock_configuration=true")
    return con


def parse(sql: str) -> exp.Expression:
    """One statement, or QueryFailed with Athena's `line L:C: ...` syntax error."""
    try:
        statements = [s for s in sqlglot.parse(sql, read="athena") if s is not None]
    except sqlglot.errors.ParseError as exc:
        err = exc.errors[0] if exc.errors else {}
        token = err.get("highlight") or ""
        col = max(1, (err.get("col") or 1) - len(token) + 1)
        raise errors.QueryFailed(f"{errors.at(err.get('line') or 1, col)}mismatched input '{token}'. "
                                 f"{err.get('description', 'Syntax error')}") from exc
    except sqlglot.errors.TokenError as exc:
        raise errors.QueryFailed(f"line 1:1: {exc}") from exc
    if len(statements) != 1:
        raise errors.QueryFailed("line 1:1: Only one sql statement is allowed. Got: " + str(len(statements)))
    return statements[0]


def position(node: exp.Expression) -> tuple[int, int]:
    meta = (node.this if isinstance(node.this, exp.Identifier) else node).meta if node else {}
    line, end = meta.get("line", 1), meta.get("col", 1)
    name = node.name if node else ""
    return line, max(1, end - len(name) + 1)


def get_table(clients: Clients, database: str, name: str, node: exp.Expression | None = None) -> dict:
    line, col = position(node) if node is not None else (1, 1)
    try:
        return clients.glue.get_table(DatabaseName=database, Name=name)["Table"]
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "EntityNotFoundException":
            raise
        if "Database" in exc.response["Error"]["Message"]:
            raise errors.schema_not_found(CATALOG, database, line, col) from exc
        raise errors.table_not_found(CATALOG, database, name, line, col) from exc


def partition_files(clients: Clients, table: dict) -> list[PartitionFiles]:
    """The files of every partition (or of the table's location when unpartitioned)."""
    locations: list[tuple[list[str], str]] = []
    if table.get("PartitionKeys") and projection.enabled(table):
        locations = projection.partitions(clients.s3, table)
    elif table.get("PartitionKeys"):
        pages = clients.glue.get_paginator("get_partitions").paginate(
            DatabaseName=table["DatabaseName"], TableName=table["Name"])
        for page in pages:
            for part in page["Partitions"]:
                loc = (part.get("StorageDescriptor") or {}).get("Location")
                if loc:
                    locations.append((part["Values"], loc))
    else:
        loc = (table.get("StorageDescriptor") or {}).get("Location")
        if not loc:
            raise errors.QueryFailed(f"HIVE_METASTORE_ERROR: Table {table['Name']} has no location")
        locations.append(([], loc))
    for _, loc in locations:
        try:
            s3_objects.split_uri(loc)
        except ValueError as exc:
            raise errors.QueryFailed(f"HIVE_FILESYSTEM_ERROR: cannot list {loc}: {exc}") from exc
    root = (table.get("StorageDescriptor") or {}).get("Location")
    try:
        listings = s3_objects.list_locations(clients.s3, root, [loc for _, loc in locations])
    except ClientError as exc:
        raise errors.QueryFailed(f"HIVE_FILESYSTEM_ERROR: cannot list the files of {table['Name']}: {exc}") from exc
    return [PartitionFiles(values, [clients.cache.local_path(clients.s3, o) for o in objects])
            for (values, _), objects in zip(locations, listings)]


def _tables(tree: exp.Expression) -> list[exp.Table]:
    ctes = {c.alias_or_name.lower() for c in tree.find_all(exp.CTE)}
    return [t for t in tree.find_all(exp.Table)
            if t.name and not (not t.db and t.name.lower() in ctes) and not isinstance(t.parent, exp.Create)]


def _reads_partition_keys(tree: exp.Expression, table: dict) -> bool:
    """Whether the statement may read the table's partition columns: it names one anywhere
    (an identifier of that name, whatever its role), or selects `*` (not `count(*)`)."""
    keys = {k["Name"].lower() for k in table.get("PartitionKeys") or []}
    if any(not isinstance(star.parent, exp.AggFunc) for star in tree.find_all(exp.Star)):
        return True
    return any(node.name.lower() in keys for node in tree.find_all(exp.Identifier))


def register_tables(con: duckdb.DuckDBPyConnection, clients: Clients, tree: exp.Expression,
                    database: str, schema: dict | None = None, may_merge: bool = True) -> int:
    """Views for every catalog table the query reads; returns the bytes they span and
    fills `schema` ({db: {table: {'"column"': type}}}) for sqlglot's type inference.
    `may_merge`: a partitioned table whose partition columns the statement does not read may
    be one scan of all its files (never when a catalog view is read too: the view's own
    query may read them, and both name the same DuckDB view)."""
    scanned = 0
    found: dict[tuple[str, str], tuple[exp.Table, dict]] = {}
    for node in _tables(tree):
        db = (node.db or database).lower()
        name = node.name.lower()
        if node.catalog and node.catalog.lower() != CATALOG:
            raise errors.QueryFailed(f"CATALOG_NOT_FOUND: {errors.at(*position(node))}Catalog "
                                     f"'{node.catalog}' does not exist")
        node.set("catalog", None)
        node.set("db", exp.to_identifier(db))
        if (db, name) not in found:
            found[(db, name)] = (node, get_table(clients, db, name, node))
    may_merge = may_merge and not any(is_view(table) for _, table in found.values())
    for (db, name), (node, table) in found.items():
        if is_view(table):
            scanned += _register_view(con, clients, db, name, table, node, schema if schema is not None else {})
            continue
        parts = partition_files(clients, table)
        if may_merge and len(parts) > 1 and not _reads_partition_keys(tree, table):
            # one scan of every file rather than a UNION of one per partition (DuckDB reads
            # them in parallel either way, but each branch costs its own setup)
            parts = [PartitionFiles([None] * len(table["PartitionKeys"]), [f for p in parts for f in p.files])]
        scanned += sum(f.stat().st_size for p in parts for f in p.files)
        create_view(con, db, name, table, parts)
        if schema is not None:
            cols = (table.get("StorageDescriptor") or {}).get("Columns", []) + (table.get("PartitionKeys") or [])
            schema.setdefault(db, {})[name] = {
                '"' + c["Name"].lower().replace('"', '""') + '"': hive.parse_glue_type(c["Type"]).sql("athena")
                for c in cols}
    return scanned


def _register_view(con: duckdb.DuckDBPyConnection, clients: Clients, db: str, name: str, table: dict,
                   node: exp.Expression, schema: dict) -> int:
    """A catalog view as a DuckDB view of its translated SQL (the tables it reads
    registered first); a view that no longer analyses fails as Trino's INVALID_VIEW."""
    try:
        view = decode_view(table)
    except ValueError as exc:
        raise errors.QueryFailed(f"HIVE_UNSUPPORTED_FORMAT: {errors.at(*position(node))}{exc}") from exc
    try:
        tree = parse(view.sql)
        scanned = register_tables(con, clients, tree, view.schema.lower() or db, schema, may_merge=False)
        name_columns(tree)
        sql = typed(tree, schema).sql(dialect="duckdb")
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {_q(db)}")
        con.execute(f"CREATE OR REPLACE VIEW {_q(db)}.{_q(name)} AS {sql}")
    except errors.QueryFailed as exc:
        detail = exc.reason.split(": ", 1)[1] if re.match(r"^[A-Z_]+: ", exc.reason) else exc.reason
        raise errors.QueryFailed(f"INVALID_VIEW: {errors.at(*position(node))}Failed analyzing stored view "
                                 f"'{CATALOG}.{db}.{name}': {detail}") from exc
    except duckdb.Error as exc:
        raise errors.QueryFailed(f"INVALID_VIEW: {errors.at(*position(node))}Failed analyzing stored view "
                                 f"'{CATALOG}.{db}.{name}': {str(exc).splitlines()[0]}") from exc
    schema.setdefault(db, {})[name] = {'"' + c.name.lower().replace('"', '""') + '"': c.trino_type
                                       for c in view.columns}
    return scanned


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


_BINDER_COLUMN = re.compile(r'Referenced column "([^"]+)" not found|column "([^"]+)" not found|'
                            r'Values list "[^"]+" does not have a column named "([^"]+)"', re.IGNORECASE)
_FUNCTION = re.compile(r"(?:Scalar|Aggregate|Table) Function with name (\w+) does not exist", re.IGNORECASE)


def engine_failure(exc: duckdb.Error, tree: exp.Expression) -> errors.QueryFailed:
    """An engine error as Athena's reason."""
    text = str(exc)
    first = text.splitlines()[0]
    match = _BINDER_COLUMN.search(text)
    if match:
        name = next(g for g in match.groups() if g)
        node = next((c for c in tree.find_all(exp.Column) if c.name.lower() == name.lower()), None)
        return errors.column_not_found(name, *(position(node) if node else (1, 1)))
    match = _FUNCTION.search(text)
    if match:
        fn = match.group(1)
        return errors.QueryFailed(f"FUNCTION_NOT_FOUND: line 1:1: Function '{fn.lower()}' not registered")
    if isinstance(exc, duckdb.ConversionException):
        return errors.QueryFailed(f"INVALID_CAST_ARGUMENT: {first}", error_type=errors.TYPE_DATA)
    if isinstance(exc, (duckdb.BinderException, duckdb.CatalogException)):
        return errors.QueryFailed(f"TYPE_MISMATCH: line 1:1: {first}")
    if isinstance(exc, duckdb.InvalidInputException) and "JSON" in text:
        return errors.QueryFailed(f"HIVE_CURSOR_ERROR: Row is not a valid JSON Object - JSONException: {first}",
                                  error_type=errors.TYPE_DATA)
    if isinstance(exc, duckdb.InterruptException):
        raise errors.QueryCancelled()
    if isinstance(exc, duckdb.PermissionException):
        return errors.QueryFailed("PERMISSION_DENIED: Access Denied: a query reads the catalog's tables only")
    return errors.QueryFailed(f"NOT_SUPPORTED: {first}")


def name_columns(tree: exp.Expression) -> None:
    """Athena names an unnamed output column `_col<position>`."""
    select = tree
    while isinstance(select, exp.SetOperation):
        select = select.this
    if not isinstance(select, exp.Select):
        return
    for i, node in enumerate(select.expressions):
        if not isinstance(node, (exp.Alias, exp.Column, exp.Star)):
            node.replace(exp.alias_(node.copy(), f"_col{i}", quoted=True))


def _require_names(tree: exp.Expression) -> None:
    """Trino's rule for a new relation (CTAS, CREATE VIEW): every output column named."""
    select = tree
    while isinstance(select, exp.SetOperation):
        select = select.this
    for i, node in enumerate(select.expressions if isinstance(select, exp.Select) else []):
        if not isinstance(node, (exp.Alias, exp.Column, exp.Star)):
            raise errors.QueryFailed(f"MISSING_COLUMN_NAME: line 1:1: Column name not specified at position {i + 1}")


@dataclass
class Analysed:
    query: exp.Expression                 # tables registered, columns qualified and typed: ready for DuckDB
    columns: list[tuple[str, str]]        # (name, DuckDB type) of each output column


def analysed(con: duckdb.DuckDBPyConnection, clients: Clients, query: exp.Expression, database: str,
             new_relation: bool = False) -> Analysed:
    """A query that writes (CTAS, INSERT, UNLOAD) or defines a view, analysed as Trino does
    before running it: its tables registered, unnamed columns `_col<n>` (or, for a new
    relation, MISSING_COLUMN_NAME / DUPLICATE_COLUMN_NAME), its output columns described."""
    schema: dict = {}
    register_tables(con, clients, query, database, schema)
    if new_relation:
        _require_names(query)
    else:
        name_columns(query)
    query = typed(query, schema)
    try:
        columns = [(n, t) for n, t, *_ in con.execute(f"DESCRIBE {query.sql(dialect='duckdb')}").fetchall()]
    except duckdb.Error as exc:
        raise engine_failure(exc, query) from exc
    names = [n.lower() for n, _ in columns]
    duplicate = next((n for n in names if names.count(n) > 1), None) if new_relation else None
    if duplicate:
        raise errors.QueryFailed(f"DUPLICATE_COLUMN_NAME: line 1:1: Column name '{duplicate}' specified more "
                                 "than once")
    return Analysed(query, columns)


_UNRESOLVED = re.compile(r"Column '(.+)' could not be resolved(?:\. Line: (\d+), Col: (\d+))?")


def typed(tree: exp.Expression, schema: dict) -> exp.Expression:
    """The query with columns qualified and types inferred, so that Trino's semantics
    survive the translation (integer division stays integer division); an unknown
    column is Athena's COLUMN_NOT_FOUND."""
    mapping = MappingSchema(schema, dialect="athena")
    try:
        tree = qualify(tree.copy(), schema=mapping, dialect="athena")
    except sqlglot.errors.OptimizeError as exc:
        match = _UNRESOLVED.search(str(exc))
        if match:
            name, line, col = match.group(1), int(match.group(2) or 1), int(match.group(3) or len(match.group(1)))
            raise errors.column_not_found(name, line, max(1, col - len(name) + 1)) from exc
        LOG.info("query not qualified (%s); types inferred where columns are qualified", exc)
    for node in list(tree.find_all(exp.ApproxDistinct)):   # exact: within approx_distinct's error bound
        node.replace(exp.Count(this=exp.Distinct(expressions=[node.this])))
    for node in list(tree.find_all(exp.RegexpExtract)):  # Trino: NULL when the pattern does not match
        guard = exp.RegexpLike(this=node.this.copy(), expression=node.expression.copy())
        node.replace(exp.Case(ifs=[exp.If(this=guard, true=node.copy())]))
    return annotate_types(tree, schema=mapping, dialect="athena")


def run_select(con: duckdb.DuckDBPyConnection, clients: Clients, tree: exp.Expression,
               database: str) -> results.ResultSet:
    schema: dict = {}
    scanned = register_tables(con, clients, tree, database, schema)
    name_columns(tree)
    tree = typed(tree, schema)
    sql = tree.sql(dialect="duckdb")
    LOG.debug("Athena query as DuckDB SQL: %s", sql)
    try:
        cursor = con.execute(sql)
        rows = cursor.fetchall()
    except duckdb.Error as exc:
        raise engine_failure(exc, tree) from exc
    result = results.from_duckdb(cursor.description, rows)
    result.data_scanned = scanned
    return result
