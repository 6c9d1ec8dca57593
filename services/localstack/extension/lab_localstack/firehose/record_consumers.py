"""In-process consumers of the records a delivery stream accepts.

A Kinesis Data Analytics application whose input is a Firehose delivery stream receives the
records put to that stream. The lab's delivery stream offers every record it accepts
(journaled; Direct PUT or read from its Kinesis source, before any transformation) to the
consumers registered for its ARN; Firehose's own buffering and delivery are unchanged.
A consumer is a callable taking the accepted NewRecords; it must only hand them over (e.g.
to a queue), and its failures are logged, never passed back to the producer.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from lab_localstack.firehose.journal import NewRecord

LOG = logging.getLogger(__name__)
Consumer = Callable[[list[NewRecord]], None]

_lock = threading.Lock()
_consumers: dict[str, list[Consumer]] = {}


def subscribe(delivery_stream_arn: str, consumer: Consumer) -> Callable[[], None]:
    """Register `consumer` for the stream's accepted records; returns the unsubscribe call."""
    with _lock:
        _consumers.setdefault(delivery_stream_arn, []).append(consumer)

    def unsubscribe() -> None:
        with _lock:
            registered = _consumers.get(delivery_stream_arn, [])
            if consumer in registered:
                registered.remove(consumer)
            if not registered:
                _consumers.pop(delivery_stream_arn, None)

    return unsubscribe


def offer(delivery_stream_arn: str, records: list[NewRecord]) -> None:
    """Hand records the stream has accepted to its consumers."""
    if not records:
        return
    with _lock:
        consumers = list(_consumers.get(delivery_stream_arn, ()))
    for consumer in consumers:
        try:
            consumer(records)
        except Exception:
            LOG.exception("consumer of %s failed", delivery_stream_arn)
