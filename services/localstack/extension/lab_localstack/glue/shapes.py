"""Stored records <-> API shapes: timestamps are epoch seconds in storage and
datetimes in requests/responses; Table and Partition carry AWS's defaults."""
from __future__ import annotations

import copy
import datetime as dt
import time
from typing import Any

TABLE_INPUT_KEYS = ("Name", "Description", "Owner", "LastAccessTime", "LastAnalyzedTime", "Retention",
                    "StorageDescriptor", "PartitionKeys", "ViewOriginalText", "ViewExpandedText",
                    "TableType", "Parameters", "TargetTable", "ViewDefinition")


def to_storage(value: Any) -> Any:
    """A request value made JSON-able (datetimes become epoch seconds)."""
    if isinstance(value, dt.datetime):
        return value.timestamp()
    if isinstance(value, dict):
        return {k: to_storage(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_storage(v) for v in value]
    return value


_TIME_KEYS = {"CreateTime", "UpdateTime", "LastAccessTime", "LastAnalyzedTime", "CreationTime",
              "LastUpdated", "StartTime", "EndTime", "AnalyzedTime"}


def to_response(value: Any) -> Any:
    """A stored record as a response member (epoch seconds become datetimes)."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if k in _TIME_KEYS and isinstance(v, (int, float)):
                out[k] = dt.datetime.fromtimestamp(v, tz=dt.UTC)
            else:
                out[k] = to_response(v)
        return out
    if isinstance(value, list):
        return [to_response(v) for v in value]
    return value


def database_record(db_input: dict, account: str) -> dict:
    record = {k: copy.deepcopy(db_input[k]) for k in ("Description", "LocationUri", "Parameters") if k in db_input}
    record.update(Name=db_input["Name"].lower(), CreateTime=time.time(), CatalogId=account,
                  CreateTableDefaultPermissions=[{
                      "Principal": {"DataLakePrincipalIdentifier": "IAM_ALLOWED_PRINCIPALS"},
                      "Permissions": ["ALL"]}])
    record.setdefault("Parameters", {})
    return record


def table_record(table_input: dict, database: str, account: str, previous: dict | None = None) -> dict:
    now = time.time()
    record = {k: to_storage(copy.deepcopy(table_input[k])) for k in TABLE_INPUT_KEYS if k in table_input}
    record["Name"] = table_input["Name"].lower()
    record.setdefault("Retention", 0)
    record.setdefault("PartitionKeys", [])
    record.setdefault("Parameters", {})
    record.update(DatabaseName=database, CatalogId=account, IsRegisteredWithLakeFormation=False,
                  CreateTime=previous["CreateTime"] if previous else now, UpdateTime=now,
                  VersionId=str(int(previous.get("VersionId", "0")) + 1) if previous else "0")
    if previous is None:
        record["CreatedBy"] = f"arn:aws:iam::{account}:user/lab"
    else:
        record["CreatedBy"] = previous.get("CreatedBy")
    return record


def partition_record(partition_input: dict, database: str, table: str, account: str,
                     previous: dict | None = None) -> dict:
    record = to_storage(copy.deepcopy(partition_input))
    record.update(DatabaseName=database, TableName=table, CatalogId=account,
                  CreationTime=previous["CreationTime"] if previous else time.time())
    record.setdefault("Parameters", {})
    return record
