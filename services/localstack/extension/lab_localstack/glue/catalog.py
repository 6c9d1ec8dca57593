"""The Data Catalog's storage: databases, tables, partitions and crawlers per
account and region, kept in memory and saved to one JSON file after every change
(LOCALSTACK_VOLUME_DIR/lab-glue/catalog.json), so the catalog survives a restart.

Records are stored as the API's own dicts (timestamps as epoch seconds); the
provider turns them into response shapes (shapes.py).
"""
from __future__ import annotations

import json
import logging
import os
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path

LOG = logging.getLogger(__name__)


@dataclass
class Catalog:
    """One account's catalog in one region."""

    databases: dict[str, dict] = field(default_factory=dict)
    tables: dict[str, dict[str, dict]] = field(default_factory=dict)           # db -> table -> Table
    partitions: dict[str, dict[str, dict]] = field(default_factory=dict)       # "db.table" -> values key -> Partition
    crawlers: dict[str, dict] = field(default_factory=dict)

    def table_partitions(self, db: str, table: str) -> dict[str, dict]:
        return self.partitions.setdefault(f"{db}.{table}", {})

    def drop_table(self, db: str, table: str) -> None:
        self.tables.get(db, {}).pop(table, None)
        self.partitions.pop(f"{db}.{table}", None)


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
        return self._catalogs.setdefault(f"{account}/{region}", Catalog())

    def all_catalogs(self) -> dict[str, Catalog]:
        return dict(self._catalogs)

    def save(self) -> None:
        if self._path is None:
            return
        with self.lock:
            data = {key: asdict(cat) for key, cat in self._catalogs.items()}
            self._path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self._path.with_suffix(".tmp")
            tmp.write_text(json.dumps(data))
            os.replace(tmp, self._path)

    def _load(self) -> None:
        if self._path is None or not self._path.exists():
            return
        try:
            data = json.loads(self._path.read_text())
        except (OSError, ValueError) as exc:
            LOG.error("Glue catalog %s unreadable, starting empty: %s", self._path, exc)
            return
        for key, cat in data.items():
            self._catalogs[key] = Catalog(**cat)
