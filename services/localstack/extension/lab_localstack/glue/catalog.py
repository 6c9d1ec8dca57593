"""The Data Catalog's persistence: the stores of models.py (databases, tables, partitions and
crawlers per account and region), saved to one JSON file after every change
(LOCALSTACK_VOLUME_DIR/lab-glue/catalog.json, `{"<account>/<region>": {"databases": ...}}`), so
the catalog survives a restart; and what the API mixins need of the provider (`CatalogAccess`).

Every catalog has AWS's `default` database, from its first use, and gets it back at start if
it was deleted.
"""
from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Protocol

from localstack.aws.api import RequestContext
from localstack.services.stores import AccountRegionBundle

from lab_localstack.glue import json_file
from lab_localstack.glue.models import GlueStore, glue_stores
from lab_localstack.glue.shapes import database_record

LOG = logging.getLogger(__name__)

# As AWS shows it (AWS CLI reference, `aws glue get-databases`): every Data Catalog has it.
DEFAULT_DATABASE = "default"
DEFAULT_DATABASE_INPUT = {"Name": DEFAULT_DATABASE, "Description": "Default Hive database",
                          "LocationUri": "file:/spark-warehouse"}


class CatalogStore:
    """The stores, one lock for every change, persisted as JSON."""

    def __init__(self, path: Path | None, stores: AccountRegionBundle[GlueStore] = glue_stores) -> None:
        self.lock = threading.RLock()
        self._path = path
        self._stores = stores
        self._load()

    def catalog(self, account: str, region: str) -> GlueStore:
        with self.lock:
            regions = self._stores[account]
            first_use = region not in regions
            cat = regions[region]
            if first_use and ensure_default_database(cat, account):
                self.save()
        return cat

    def all_catalogs(self) -> list[GlueStore]:
        with self.lock:
            return [cat for _, _, cat in self._stores.iter_stores()]

    def save(self) -> None:
        if self._path is None:
            return
        with self.lock:
            json_file.save(self._path, {f"{account}/{region}": cat.persisted()
                                        for account, region, cat in self._stores.iter_stores()})

    def _load(self) -> None:
        data = json_file.load(self._path, "Glue catalog")
        if data is None:
            return
        added = False
        for key, saved in data.items():
            account, _, region = key.partition("/")
            cat = self._stores[account][region]
            cat.restore(saved)
            # every account's Data Catalog has `default`: put back at start if it was deleted
            added |= ensure_default_database(cat, account)
        if added:
            self.save()


def ensure_default_database(cat: GlueStore, account: str) -> bool:
    """Add the `default` database AWS gives every Data Catalog, if missing (True if added)."""
    if DEFAULT_DATABASE in cat.databases:
        return False
    cat.databases[DEFAULT_DATABASE] = database_record(dict(DEFAULT_DATABASE_INPUT), account)
    cat.tables.setdefault(DEFAULT_DATABASE, {})
    return True


class CatalogAccess(Protocol):
    """What Glue's API mixins need of the provider they are mixed into: its CatalogStore."""

    store: CatalogStore

    def catalog(self, context: RequestContext) -> GlueStore:
        """The caller's account's catalog in the caller's region."""
        return self.store.catalog(context.account_id, context.region)
