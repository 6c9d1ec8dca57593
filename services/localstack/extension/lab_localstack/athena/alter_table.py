"""ALTER TABLE on a Hive table, applied to its Glue definition with UpdateTable:
SET TBLPROPERTIES (merged into Parameters, as dbt-athena sets 'classification' after
a CTAS), ADD COLUMNS, REPLACE COLUMNS, SET LOCATION. RENAME TO is refused as Athena
refuses it for Hive tables; ADD/DROP PARTITION stay in ddl.py."""
from __future__ import annotations

import logging

from botocore.exceptions import ClientError
from sqlglot import exp

from lab_localstack.athena import errors, hive_ddl
from lab_localstack.athena.engine import Clients, get_table
from lab_localstack.athena.results import ResultSet, text_result

LOG = logging.getLogger(__name__)
# the keys of Glue's TableInput (GetTable's Table has read-only ones besides)
_TABLE_INPUT = ("Name", "Description", "Owner", "LastAccessTime", "LastAnalyzedTime", "Retention",
                "StorageDescriptor", "PartitionKeys", "ViewOriginalText", "ViewExpandedText", "TableType",
                "Parameters", "TargetTable")


def handles(tree: exp.Expression) -> bool:
    """An ALTER TABLE whose action is one of this module's (not ADD/DROP PARTITION)."""
    actions = (tree.args.get("actions") or []) if isinstance(tree, exp.Alter) else []
    return len(actions) == 1 and isinstance(actions[0], (exp.AlterSet, exp.Schema, exp.ReplaceColumns,
                                                         exp.AlterRename))


def run(clients: Clients, tree: exp.Alter, database: str) -> ResultSet:
    target = tree.this
    db, name = (target.db or database).lower(), target.name.lower()
    action = tree.args["actions"][0]
    if isinstance(action, exp.AlterRename):
        raise errors.QueryFailed("NOT_SUPPORTED: ALTER TABLE RENAME TO is not supported for Hive tables "
                                 "(Athena renames Iceberg tables only)", error_type=errors.TYPE_DDL)
    table = get_table(clients, db, name, target)
    tinput = {k: table[k] for k in _TABLE_INPUT if k in table}
    storage = tinput.setdefault("StorageDescriptor", {})
    if isinstance(action, exp.AlterSet):
        _set(tinput, action)
    elif isinstance(action, exp.Schema):
        added = hive_ddl.columns(action.expressions)
        existing = {c["Name"] for c in storage.get("Columns", []) + tinput.get("PartitionKeys", [])}
        for col in added:
            if col["Name"] in existing:
                raise errors.QueryFailed(f"FAILED: SemanticException [Error 10036]: Duplicate column name: "
                                         f"{col['Name']}", error_type=errors.TYPE_DDL)
            existing.add(col["Name"])
        storage["Columns"] = storage.get("Columns", []) + added
    else:
        replaced = hive_ddl.columns(action.expressions)
        keys = {k["Name"] for k in tinput.get("PartitionKeys", [])}
        clash = [c["Name"] for c in replaced if c["Name"] in keys]
        if clash:
            raise errors.QueryFailed(f"FAILED: SemanticException [Error 10036]: Duplicate column name: {clash[0]}",
                                     error_type=errors.TYPE_DDL)
        storage["Columns"] = replaced
    try:
        clients.glue.update_table(DatabaseName=db, TableInput=tinput)
    except ClientError as exc:
        raise errors.QueryFailed(f"FAILED: {exc.response['Error']['Code']}: {exc.response['Error']['Message']}",
                                 error_type=errors.TYPE_DDL) from exc
    LOG.debug("ALTER TABLE %s.%s: %s", db, name, type(action).__name__)
    return text_result("result", [])


def _set(tinput: dict, action: exp.AlterSet) -> None:
    location = action.args.get("location")
    if location is not None:
        tinput["StorageDescriptor"]["Location"] = location.name
        return
    props = [p for node in action.expressions if isinstance(node, exp.Properties) for p in node.expressions]
    if not props:
        raise errors.QueryFailed(f"NOT_SUPPORTED: ALTER TABLE {action.sql(dialect='athena')} is not supported "
                                 "by the lab (SET TBLPROPERTIES, SET LOCATION)", error_type=errors.TYPE_DDL)
    params = dict(tinput.get("Parameters") or {})
    for prop in props:
        key = prop.this.name if isinstance(prop.this, exp.Expression) else str(prop.this)
        params[key] = prop.args["value"].name
    tinput["Parameters"] = params
