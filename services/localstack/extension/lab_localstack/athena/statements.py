"""One Athena statement: its StatementType/SubstatementType, and its execution
(SELECT on the engine, CTAS to Parquet, DDL and utility statements on the catalog)."""
from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb
from sqlglot import exp

from lab_localstack.athena import ddl, engine, errors, hive_ddl, s3_objects, types
from lab_localstack.athena.results import ResultSet, text_result


@dataclass(frozen=True)
class Statement:
    tree: exp.Expression
    sql: str
    statement_type: str          # DDL, DML or UTILITY
    substatement_type: str       # SELECT, CREATE_TABLE, CREATE_TABLE_AS_SELECT, ...


_COMMAND = re.compile(r"^\s*(MSCK\s+REPAIR\s+TABLE|SHOW|ALTER\s+TABLE)\b", re.IGNORECASE)


def classify(sql: str) -> Statement:
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
    if isinstance(tree, exp.Drop):
        return Statement(tree, sql, "DDL", f"DROP_{(tree.args.get('kind') or 'TABLE').upper()}")
    if isinstance(tree, exp.Describe):
        return Statement(tree, sql, "UTILITY", "DESCRIBE_TABLE")
    if isinstance(tree, (exp.Alter, exp.Command)) and _COMMAND.match(sql):
        head = _COMMAND.match(sql).group(1).upper().split()[0]
        kinds = {"MSCK": ("DDL", "MSCK_REPAIR_TABLE"), "SHOW": ("UTILITY", "SHOW"),
                 "ALTER": ("DDL", "ALTER_TABLE")}
        return Statement(tree, sql, *kinds[head])
    if isinstance(tree, (exp.Insert, exp.Update, exp.Delete, exp.Merge)):
        raise errors.QueryFailed("NOT_SUPPORTED: INSERT/UPDATE/DELETE/MERGE are not supported by the lab "
                                 "(Hive tables are read-only in Athena's Hive catalog except INSERT INTO)")
    raise errors.QueryFailed(f"line 1:1: mismatched input '{sql.strip().split()[0] if sql.strip() else ''}'. "
                             "Expecting: 'ALTER', 'CREATE', 'DESCRIBE', 'DROP', 'MSCK', 'SELECT', 'SHOW', 'WITH'")


def execute(stmt: Statement, con: duckdb.DuckDBPyConnection, clients: engine.Clients, database: str,
            query_id: str, output_location: str | None, work_dir: Path) -> ResultSet:
    tree, kind = stmt.tree, stmt.substatement_type
    if kind == "SELECT":
        return engine.run_select(con, clients, tree, database)
    if kind == "CREATE_TABLE_AS_SELECT":
        return ctas(con, clients, tree, database, query_id, output_location, work_dir)
    if kind == "CREATE_DATABASE":
        return ddl.create_database(clients, tree)
    if kind == "CREATE_TABLE":
        return ddl.create_table(clients, tree, database)
    if kind.startswith("DROP_"):
        return ddl.drop(clients, tree, database)
    if kind == "DESCRIBE_TABLE":
        return ddl.describe(clients, tree, database)
    if kind == "MSCK_REPAIR_TABLE":
        return ddl.msck_repair(clients, stmt.sql.strip().rstrip(";").split()[-1].strip("`\""), database)
    if kind == "SHOW":
        return ddl.show(clients, stmt.sql, database)
    return ddl.alter_partitions(clients, stmt.sql, database)


def ctas(con: duckdb.DuckDBPyConnection, clients: engine.Clients, create: exp.Create, database: str,
         query_id: str, output_location: str | None, work_dir: Path) -> ResultSet:
    """CREATE TABLE ... WITH (format='PARQUET', external_location=...) AS SELECT: Parquet
    (SNAPPY) written to the location, and the table registered in the catalog."""
    table = create.this
    db = (table.db or database).lower()
    props = {"format": "PARQUET"}
    for prop in (create.args.get("properties") or exp.Properties(expressions=[])).expressions:
        if isinstance(prop, exp.FileFormatProperty):
            props["format"] = prop.this.name.upper()
        elif type(prop) is exp.Property:
            props[prop.name.lower()] = prop.args["value"].name if prop.args.get("value") else ""
    if props["format"] != "PARQUET" or props.get("partitioned_by") or props.get("bucketed_by"):
        raise errors.QueryFailed("NOT_SUPPORTED: the lab's CTAS writes unpartitioned PARQUET tables only")
    try:
        clients.glue.get_table(DatabaseName=db, Name=table.name.lower())
        raise errors.QueryFailed(f"TABLE_ALREADY_EXISTS: Table 'awsdatacatalog.{db}.{table.name.lower()}' "
                                 "already exists")
    except clients.glue.exceptions.EntityNotFoundException:
        pass
    location = props.get("external_location") or (
        f"{(output_location or '').rstrip('/')}/tables/{query_id}/")
    query = create.expression
    schema: dict = {}
    engine.register_tables(con, clients, query, database, schema)
    query = engine.typed(query, schema)
    with tempfile.TemporaryDirectory(dir=work_dir) as tmp:
        path = Path(tmp) / "data.parquet"
        sql = query.sql(dialect="duckdb")
        try:
            described = con.execute(f"DESCRIBE {sql}").fetchall()
            count = con.execute(f"SELECT count(*) FROM ({sql})").fetchone()[0]
            con.execute(f"COPY ({sql}) TO '{path}' (FORMAT PARQUET, COMPRESSION SNAPPY)")
        except duckdb.Error as exc:
            raise engine.engine_failure(exc, query) from exc
        bucket, prefix = s3_objects.split_uri(location)
        prefix = prefix if not prefix or prefix.endswith("/") else prefix + "/"
        clients.s3.upload_file(str(path), bucket, f"{prefix}{query_id}_00000")
    columns = [{"Name": name.lower(), "Type": types.duckdb_to_glue(typ)} for name, typ, *_ in described]
    clients.glue.create_table(DatabaseName=db, TableInput={
        "Name": table.name.lower(), "TableType": "EXTERNAL_TABLE",
        "Parameters": {"EXTERNAL": "TRUE", "has_encrypted_data": "false", "parquet.compression": "SNAPPY"},
        "PartitionKeys": [],
        "StorageDescriptor": {"Columns": columns, "Location": location,
                              "InputFormat": hive_ddl.PARQUET_IO[0], "OutputFormat": hive_ddl.PARQUET_IO[1],
                              "SerdeInfo": {"SerializationLibrary": hive_ddl.PARQUET_SERDE,
                                            "Parameters": {"serialization.format": "1"}}}})
    result = text_result("rows", [])
    result.update_count = count
    return result
