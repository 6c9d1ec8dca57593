"""The Data Catalog's storage: databases, tables, partitions and crawlers per
account and region, kept in memory and saved to one JSON file after every change
(LOCALSTACK_VOLUME_DIR/lab-glue/catalog.json), so the catalog survives a restart.

Records are stored as the API's own dicts (timestamps as epoch seconds); the
provider turns them into response shapes (shapes.py). Tags and partition indexes are kept
beside the resources they belong to. Every catalog has AWS's `default` database, from its
first use, and gets it back at start if it was deleted.
"""
from __future__ import annotations

import json
import logging
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path

from lab_localstack.glue import json_file
from lab_localstack.glue.shapes import database_record

LOG = logging.getLogger(__name__)

# As AWS shows it (AWS CLI reference, `aws glue get-databases`): every Data Catalog has it.
DEFAULT_DATABASE = "default"
DEFAULT_DATABASE_INPUT = {"Name": DEFAULT_DATABASE, "Description": "Default Hive database",
                          "LocationUri": "file:/spark-warehouse"}


@dataclass
class Catalog:
    """One account's catalog in one region."""

    databases: dict[str, dict] = field(default_factory=dict)
    tables: dict[str, dict[str, dict]] = field(default_factory=dict)           # db -> table -> Table
    partitions: dict[str, dict[str, dict]] = field(default_factory=dict)       # "db.table" -> values key -> Partition
    crawlers: dict[str, dict] = field(default_factory=dict)
    table_versions: dict[str, list[dict]] = field(default_factory=dict)   # "db.table" -> every version
    tags: dict[str, dict[str, str]] = field(default_factory=dict)        # "database/db", "crawler/c" -> tags
    partition_indexes: dict[str, list[dict]] = field(default_factory=dict)   # "db.table" -> PartitionIndexDescriptors

    def put_table(self, record: dict) -> None:
        """Store a table and keep it as its newest version (GetTableVersion[s])."""
        self.tables.setdefault(record["DatabaseName"], {})[record["Name"]] = record
        self.table_versions.setdefault(f"{record['DatabaseName']}.{record['Name']}", []).append(record)

    def table_partitions(self, db: str, table: str) -> dict[str, dict]:
        return self.partitions.setdefault(f"{db}.{table}", {})

    def drop_table(self, db: str, table: str) -> None:
        self.tables.get(db, {}).pop(table, None)
        self.partitions.pop(f"{db}.{table}", None)
        self.table_versions.pop(f"{db}.{table}", None)
        self.partition_indexes.pop(f"{db}.{table}", None)


def values_key(values: tuple[str, ...] | list[str]) -> str:
    return json.dumps(list(values))


class CatalogStore:
    """All catalogs, one lock, persisted as JSON."""

    def __init__(self, path: Path | None) -> None:
        self.lock = threading.RLock()
        self._path = path
        self._catalogs: dict[str, Catalog] = {}
        self._load()

    def catalog(self, account: str, region: str) -> Catalog:
        key = f"{account}/{region}"
        cat = self._catalogs.get(key)
        if cat is None:
            with self.lock:
                cat = self._catalogs.setdefault(key, Catalog())
                if ensure_default_database(cat, account):
                    self.save()
        return cat

    def all_catalogs(self) -> dict[str, Catalog]:
        return dict(self._catalogs)

    def save(self) -> None:
        if self._path is None:
            return
        with self.lock:
            json_file.save(self._path, {key: asdict(cat) for key, cat in self._catalogs.items()})

    def _load(self) -> None:
        data = json_file.load(self._path, "Glue catalog")
        if data is None:
            return
        for key, cat in data.items():
            self._catalogs[key] = Catalog(**cat)
        # every account's Data Catalog has `default`: put back at start if it was deleted
        added = [key for key, cat in self._catalogs.items() if ensure_default_database(cat, key.split("/")[0])]
        if added:
            self.save()


def ensure_default_database(cat: Catalog, account: str) -> bool:
    """Add the `default` database AWS gives every Data Catalog, if missing (True if added)."""
    if DEFAULT_DATABASE in cat.databases:
        return False
    cat.databases[DEFAULT_DATABASE] = database_record(dict(DEFAULT_DATABASE_INPUT), account)
    cat.tables.setdefault(DEFAULT_DATABASE, {})
    return True
