"""Glue's state in LocalStack's store style: one `GlueStore` (BaseStore) per account and
region in the `glue_stores` AccountRegionBundle, holding the Data Catalog's records as the
API's own dicts (timestamps as epoch seconds; shapes.py turns them into responses) and the stop
flags of running crawls. Inside a store, resources are keyed by name: a database `db`, a table
`db.table` (partitions, versions, indexes), a tag owner `<kind>/<name>`; catalog.py saves the
persisted attributes (PERSISTED) to catalog.json under `<account>/<region>`.

The bundle does not validate account ids or region names (`validate=False`): the lab answers
whatever account and region a caller's credentials name, as it did before stores.
"""
from __future__ import annotations

import json
import threading

from localstack.services.stores import AccountRegionBundle, BaseStore, LocalAttribute

from lab_localstack.aws_api import find
from lab_localstack.glue import validation

PERSISTED = ("databases", "tables", "partitions", "crawlers", "table_versions", "tags", "partition_indexes",
             "column_statistics")


class GlueStore(BaseStore):
    """One account's Data Catalog and crawlers in one region."""

    databases: dict[str, dict] = LocalAttribute(default=dict)
    tables: dict[str, dict[str, dict]] = LocalAttribute(default=dict)           # db -> table -> Table
    partitions: dict[str, dict[str, dict]] = LocalAttribute(default=dict)       # "db.table" -> values key -> Partition
    crawlers: dict[str, dict] = LocalAttribute(default=dict)
    table_versions: dict[str, list[dict]] = LocalAttribute(default=dict)       # "db.table" -> every version
    tags: dict[str, dict[str, str]] = LocalAttribute(default=dict)             # "database/db", "crawler/c" -> tags
    partition_indexes: dict[str, list[dict]] = LocalAttribute(default=dict)    # "db.table" -> PartitionIndexDescriptors
    column_statistics: dict[str, dict[str, dict]] = LocalAttribute(default=dict)  # "db.table[/values]" -> col -> stats
    crawl_stops: dict[str, threading.Event] = LocalAttribute(default=dict)     # crawler -> its run's stop flag

    def database(self, name: str | None) -> dict:
        """The database of that name, or Glue's EntityNotFoundException."""
        return find(self.databases, validation.name(name, "databaseName"), lambda: validation.database_not_found(name))

    def table(self, db_name: str | None, table_name: str | None) -> dict:
        """The table of that database and name, or Glue's EntityNotFoundException."""
        db = self.database(db_name)
        return find(self.tables.get(db["Name"], {}), validation.name(table_name, "name"),
                    lambda: validation.table_not_found(table_name))

    def put_table(self, record: dict) -> None:
        """Store a table and keep it as its newest version (GetTableVersion[s])."""
        self.tables.setdefault(record["DatabaseName"], {})[record["Name"]] = record
        self.table_versions.setdefault(table_key(record["DatabaseName"], record["Name"]), []).append(record)

    def table_partitions(self, db: str, table: str) -> dict[str, dict]:
        return self.partitions.setdefault(table_key(db, table), {})

    def drop_table(self, db: str, table: str) -> None:
        self.tables.get(db, {}).pop(table, None)
        self.partitions.pop(table_key(db, table), None)
        self.table_versions.pop(table_key(db, table), None)
        self.partition_indexes.pop(table_key(db, table), None)
        for key in [k for k in self.column_statistics if k == table_key(db, table)
                    or k.startswith(table_key(db, table) + "/")]:
            del self.column_statistics[key]

    def persisted(self) -> dict:
        return {name: getattr(self, name) for name in PERSISTED}

    def restore(self, saved: dict) -> None:
        for name in PERSISTED:
            if name in saved:
                setattr(self, name, saved[name])


def table_key(db: str, table: str) -> str:
    return f"{db}.{table}"


def values_key(values: tuple[str, ...] | list[str]) -> str:
    return json.dumps(list(values))


glue_stores: AccountRegionBundle[GlueStore] = AccountRegionBundle("glue", GlueStore, validate=False)
