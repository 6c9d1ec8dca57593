"""Kinesis's state in LocalStack's store style: one `KinesisStore` (BaseStore) per account and
region in the `kinesis_stores` AccountRegionBundle, holding the streams by name. What survives
a restart is on disk (persistence.py, shard_log.py).

The bundle does not validate account ids or region names (`validate=False`): the lab answers
whatever account and region a caller's credentials (or a stream ARN) name.
"""
from __future__ import annotations

from localstack.services.stores import AccountRegionBundle, BaseStore, LocalAttribute

from lab_localstack.kinesis.stream import Stream


class KinesisStore(BaseStore):
    """One account's streams in one region."""

    streams: dict[str, Stream] = LocalAttribute(default=dict)


kinesis_stores: AccountRegionBundle[KinesisStore] = AccountRegionBundle("kinesis", KinesisStore, validate=False)


def store_of(account: str, region: str) -> KinesisStore:
    return kinesis_stores[account][region]


def all_streams() -> list[Stream]:
    return [s for _, _, store in kinesis_stores.iter_stores() for s in list(store.streams.values())]
