"""Athena's state in LocalStack's store style: one `AthenaStore` (BaseStore) per account and
region in the `athena_stores` AccountRegionBundle: work groups (`primary` always exists), named
queries, query executions (in submission order, restored from history.py's log at start),
ClientRequestTokens and tags. Inside a store, resources are keyed by name or id; tags by
`workgroup/<name>` (tags.py). Work groups and named queries live in memory, like community
LocalStack's services.

The bundle does not validate account ids or region names (`validate=False`): the lab answers
whatever account and region a caller's credentials name.
"""
from __future__ import annotations

import copy
import datetime as dt
from typing import Protocol

from localstack.aws.api import RequestContext
from localstack.services.stores import AccountRegionBundle, BaseStore, LocalAttribute

ENGINE_VERSION = {"SelectedEngineVersion": "AUTO", "EffectiveEngineVersion": "Athena engine version 3"}


def new_work_group(name: str, configuration: dict | None, description: str | None) -> dict:
    """A work group record with AWS's defaults."""
    config = copy.deepcopy(configuration or {})
    config.setdefault("ResultConfiguration", {})
    config.setdefault("EnforceWorkGroupConfiguration", False)
    config.setdefault("PublishCloudWatchMetricsEnabled", False)
    config.setdefault("RequesterPaysEnabled", False)
    config["EngineVersion"] = dict(ENGINE_VERSION)
    wg = {"Name": name, "State": "ENABLED", "Configuration": config,
          "CreationTime": dt.datetime.now(dt.UTC)}
    if description:
        wg["Description"] = description
    return wg


class AthenaStore(BaseStore):
    """One account's Athena in one region."""

    work_groups: dict[str, dict] = LocalAttribute(default=lambda: {"primary": new_work_group("primary", None, None)})
    named_queries: dict[str, dict] = LocalAttribute(default=dict)
    executions: dict = LocalAttribute(default=dict)                 # id -> QueryExecution, in submission order
    tokens: dict[str, str] = LocalAttribute(default=dict)           # ClientRequestToken -> id
    tags: dict[str, dict[str, str]] = LocalAttribute(default=dict)  # "workgroup/<name>" -> tags (tags.py)


athena_stores: AccountRegionBundle[AthenaStore] = AccountRegionBundle("athena", AthenaStore, validate=False)


def store_of(account: str, region: str) -> AthenaStore:
    return athena_stores[account][region]


class StoreAccess(Protocol):
    """What Athena's API mixins need: the caller's store (given here), and the Glue Data
    Catalog's client for the caller (the provider's `glue_for`)."""

    def region(self, context: RequestContext) -> AthenaStore:
        return store_of(context.account_id, context.region)

    def glue_for(self, context: RequestContext):
        ...
