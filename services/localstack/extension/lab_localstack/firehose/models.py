"""Firehose's state in LocalStack's store style: one `FirehoseStore` (BaseStore) per account and
region in the `firehose_stores` AccountRegionBundle, holding the running delivery streams by
name. What survives a restart is the journal's (journal.py): there a stream is keyed by its
StreamKey (`<account>/<region>/<name>`, the journal's on-disk key), which each DeliveryStream
carries to address its journal rows.

The bundle does not validate account ids or region names (`validate=False`): the lab answers
whatever account and region a caller's credentials name.
"""
from __future__ import annotations

from localstack.services.stores import AccountRegionBundle, BaseStore, LocalAttribute

from lab_localstack.firehose.delivery_stream import DeliveryStream


class FirehoseStore(BaseStore):
    """One account's delivery streams in one region."""

    delivery_streams: dict[str, DeliveryStream] = LocalAttribute(default=dict)


firehose_stores: AccountRegionBundle[FirehoseStore] = AccountRegionBundle("firehose", FirehoseStore, validate=False)


def store_of(account: str, region: str) -> FirehoseStore:
    return firehose_stores[account][region]


def all_streams() -> list[DeliveryStream]:
    return [s for _, _, store in firehose_stores.iter_stores() for s in store.delivery_streams.values()]
