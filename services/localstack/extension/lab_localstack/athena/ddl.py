"""DDL and utility statements, applied to the Glue catalog through its API:
CREATE DATABASE/EXTERNAL TABLE, DROP TABLE/DATABASE, ALTER TABLE ADD/DROP PARTITION,
MSCK REPAIR TABLE, SHOW DATABASES/TABLES/PARTITIONS/COLUMNS, DESCRIBE."""
from __future__ import annotations

import re

from botocore.exceptions import ClientError
from sqlglot import exp

from lab_localstack.athena import errors, hive_ddl, s3_objects
from lab_localstack.athena.engine import CATALOG, Clients, get_table
from lab_localstack.athena.results import ResultSet, text_result

DDL_FAILED = errors.TYPE_DDL


def _glue_call(fn, **kwargs) -> dict:
    try:
        return fn(**kwargs)
    except ClientError as exc:
        code, message = exc.response["Error"]["Code"], exc.response["Error"]["Message"]
        raise errors.QueryFailed(f"FAILED: {code}: {message}" if code != "AlreadyExistsException"
                                 else message.rstrip("."), error_type=DDL_FAILED) from exc


def create_database(clients: Clients, create: exp.Create) -> ResultSet:
    name = create.this.name.lower()
    props = {}
    for prop in (create.args.get("properties") or exp.Properties(expressions=[])).expressions:
        if isinstance(prop, exp.LocationProperty):
            props["LocationUri"] = prop.this.name
        elif isinstance(prop, exp.SchemaCommentProperty):
            props["Description"] = prop.this.name
    try:
        clients.glue.create_database(DatabaseInput={"Name": name, **props})
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "AlreadyExistsException" or not create.args.get("exists"):
            raise errors.QueryFailed(f"FAILED: Database {name} already exists", error_type=DDL_FAILED) from exc
    return text_result("result", [])


def create_table(clients: Clients, create: exp.Create, database: str) -> ResultSet:
    db, tinput = hive_ddl.table_input(create)
    db = db or database
    try:
        clients.glue.create_table(DatabaseName=db, TableInput=tinput)
    except ClientError as exc:
        code = exc.response["Error"]["Code"]
        if code == "AlreadyExistsException" and create.args.get("exists"):
            return text_result("result", [])
        if code == "AlreadyExistsException":
            raise errors.QueryFailed(f"FAILED: AlreadyExistsException: Table {db}.{tinput['Name']} already exists",
                                     error_type=DDL_FAILED) from exc
        if code == "EntityNotFoundException":
            raise errors.schema_not_found(CATALOG, db) from exc
        raise errors.QueryFailed(f"FAILED: {code}: {exc.response['Error']['Message']}", error_type=DDL_FAILED) from exc
    return text_result("result", [])


def drop(clients: Clients, drop_node: exp.Drop, database: str) -> ResultSet:
    kind = (drop_node.args.get("kind") or "").upper()
    target = drop_node.this or (drop_node.args.get("tables") or [None])[0]
    try:
        if kind == "TABLE":
            clients.glue.delete_table(DatabaseName=(target.db or database).lower(), Name=target.name.lower())
        elif kind in ("DATABASE", "SCHEMA"):
            clients.glue.delete_database(Name=target.name.lower())
        else:
            raise errors.QueryFailed(f"NOT_SUPPORTED: DROP {kind} is not supported by the lab")
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "EntityNotFoundException" and drop_node.args.get("exists"):
            return text_result("result", [])
        what = f"Table {target.name}" if kind == "TABLE" else f"Database {target.name}"
        raise errors.QueryFailed(f"FAILED: SemanticException [Error 10001]: {what} not found",
                                 error_type=DDL_FAILED) from exc
    return text_result("result", [])


def _split_name(name: str, database: str) -> tuple[str, str]:
    db, _, table = name.lower().rpartition(".")
    return db or database, table


def _partition_input(table: dict, values: list[str], location: str) -> dict:
    sd = dict(table["StorageDescriptor"], Location=location)
    return {"Values": values, "StorageDescriptor": sd}


def _default_location(table: dict, keys: list[str], values: list[str]) -> str:
    base = table["StorageDescriptor"].get("Location", "").rstrip("/")
    return base + "/" + "/".join(f"{k}={v}" for k, v in zip(keys, values)) + "/"


def alter_partitions(clients: Clients, sql: str, database: str) -> ResultSet:
    name, verb, if_clause, specs = hive_ddl.alter_partitions(sql)
    db, tname = _split_name(name, database)
    table = get_table(clients, db, tname)
    keys = [k["Name"].lower() for k in table.get("PartitionKeys") or []]
    for pairs, location in specs:
        if set(pairs) != set(keys):
            raise errors.QueryFailed(f"FAILED: SemanticException Partition spec {pairs} contains non-partition "
                                     f"columns or misses some of {keys}", error_type=DDL_FAILED)
        values = [pairs[k] for k in keys]
        try:
            if verb == "ADD":
                clients.glue.create_partition(DatabaseName=db, TableName=tname, PartitionInput=_partition_input(
                    table, values, location or _default_location(table, keys, values)))
            else:
                clients.glue.delete_partition(DatabaseName=db, TableName=tname, PartitionValues=values)
        except ClientError as exc:
            code = exc.response["Error"]["Code"]
            if if_clause and code in ("AlreadyExistsException", "EntityNotFoundException"):
                continue
            message = "Partition already exists." if code == "AlreadyExistsException" else "Partition not found."
            raise errors.QueryFailed(f"FAILED: {code}: {message}", error_type=DDL_FAILED) from exc
    return text_result("result", [])


def msck_repair(clients: Clients, name: str, database: str) -> ResultSet:
    """Adds the Hive-style `k=v/` folders under the table's location that the catalog lacks."""
    db, tname = _split_name(name, database)
    table = get_table(clients, db, tname)
    keys = [k["Name"].lower() for k in table.get("PartitionKeys") or []]
    if not keys:
        return text_result("result", [])
    location = table["StorageDescriptor"].get("Location", "")
    pattern = re.compile("^" + "".join(f"{re.escape(k)}=([^/]+)/" for k in keys), re.IGNORECASE)
    _, prefix = s3_objects.split_uri(location)
    prefix = prefix if not prefix or prefix.endswith("/") else prefix + "/"
    found: dict[tuple[str, ...], str] = {}
    for obj in s3_objects.list_location(clients.s3, location):
        match = pattern.match(obj.key[len(prefix):])
        if match:
            values = match.groups()
            found.setdefault(values, location.rstrip("/") + "/" + "/".join(
                f"{k}={v}" for k, v in zip(keys, values)) + "/")
    existing = {tuple(p["Values"]) for page in clients.glue.get_paginator("get_partitions").paginate(
        DatabaseName=db, TableName=tname) for p in page["Partitions"]}
    missing = sorted(v for v in found if v not in existing)
    for i in range(0, len(missing), 100):
        clients.glue.batch_create_partition(DatabaseName=db, TableName=tname, PartitionInputList=[
            _partition_input(table, list(v), found[v]) for v in missing[i:i + 100]])
    names = ["/".join(f"{k}={v}" for k, v in zip(keys, values)) for values in missing]
    lines = []
    if names:
        lines.append("Partitions not in metastore:\t" + "\t".join(f"{tname}:{n}" for n in names))
        lines += [f"Repair: Added partition to metastore {tname}:{n}" for n in names]
    return text_result("result", lines)


def show(clients: Clients, sql: str, database: str) -> ResultSet:
    words = sql.strip().rstrip(";").split()
    what = words[1].upper() if len(words) > 1 else ""
    if what in ("DATABASES", "SCHEMAS"):
        dbs = [d["Name"] for page in clients.glue.get_paginator("get_databases").paginate()
               for d in page["DatabaseList"]]
        return text_result("database_name", dbs)
    if what == "TABLES":
        db = database
        if len(words) > 3 and words[2].upper() == "IN":
            db = words[3].strip("`\"").lower()
        _glue_call(clients.glue.get_database, Name=db)
        tables = [t["Name"] for page in clients.glue.get_paginator("get_tables").paginate(DatabaseName=db)
                  for t in page["TableList"]]
        return text_result("tab_name", tables)
    if what in ("PARTITIONS", "COLUMNS") and len(words) > 2:
        name = words[-1].strip("`\"")
        db, tname = _split_name(name, database)
        table = get_table(clients, db, tname)
        if what == "COLUMNS":
            cols = table["StorageDescriptor"].get("Columns", []) + table.get("PartitionKeys", [])
            return text_result("field", [c["Name"] for c in cols])
        keys = [k["Name"] for k in table.get("PartitionKeys") or []]
        parts = [p for page in clients.glue.get_paginator("get_partitions").paginate(
            DatabaseName=db, TableName=tname) for p in page["Partitions"]]
        return text_result("partition", sorted("/".join(f"{k}={v}" for k, v in zip(keys, p["Values"]))
                                               for p in parts))
    raise errors.QueryFailed(f"NOT_SUPPORTED: {' '.join(words[:2])} is not supported by the lab")


def describe(clients: Clients, node: exp.Describe, database: str) -> ResultSet:
    target = node.this
    table = get_table(clients, (target.db or database).lower(), target.name.lower(), target)
    cols = table["StorageDescriptor"].get("Columns", [])
    keys = table.get("PartitionKeys") or []
    width = max([len(c["Name"]) for c in cols + keys] + [8])
    lines = [f"{c['Name']:<{width}}\t{c['Type']:<20}\t{c.get('Comment', '')}".rstrip() for c in cols + keys]
    if keys:
        lines += ["", "# Partition Information", f"{'# col_name':<{width}}\t{'data_type':<20}\tcomment", ""]
        lines += [f"{k['Name']:<{width}}\t{k['Type']:<20}\t{k.get('Comment', '')}".rstrip() for k in keys]
    return text_result("col_name", lines)
