"""The native Kafka broker's cluster id: Kafka's form (22 URL-safe base64 characters), and never
one that starts with "-", which kafka-storage's parser takes for an option (it failed the
broker's first start 1 time in 64)."""
from __future__ import annotations

import re

import pytest
from labctl.labs.cloudwatch import kafka_broker

pytestmark = pytest.mark.unit


def test_cluster_ids_look_like_kafkas_and_never_start_with_a_dash(monkeypatch):
    ids = [kafka_broker.new_cluster_id() for _ in range(2000)]
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{22}", cluster_id) for cluster_id in ids)
    assert not [cluster_id for cluster_id in ids if cluster_id.startswith("-")]
    assert len(set(ids)) == len(ids)
    # a uuid whose base64 starts with "-" (0xf8: 111110 -> "-") is drawn again
    import uuid
    drawn = iter([uuid.UUID(bytes=b"\xf8" + b"\x00" * 15), uuid.UUID(bytes=b"\x04" + b"\x00" * 15)])
    monkeypatch.setattr(kafka_broker.uuid, "uuid4", lambda: next(drawn))
    assert kafka_broker.new_cluster_id() == "BAAAAAAAAAAAAAAAAAAAAA"
