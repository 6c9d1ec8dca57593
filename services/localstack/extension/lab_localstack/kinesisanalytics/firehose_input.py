"""A Firehose delivery stream as an application's input (KinesisFirehoseInput).

On AWS the application receives the records put to the delivery stream. The lab's Firehose
offers each record it accepts to in-process consumers (firehose/record_consumers.py); this
input registers one at StartApplication and queues what it is offered until the runner's
next tick. A delivery stream keeps no history to read back, so every starting position
means NOW: records accepted after the start. Firehose's own delivery is not affected.
Records look like Kinesis ones to the runner (SequenceNumber = Firehose's record id).
"""
from __future__ import annotations

import threading
from collections import deque
from datetime import UTC, datetime

from localstack import config

from lab_localstack.firehose import record_consumers
from lab_localstack.firehose.journal import NewRecord
from lab_localstack.kinesisanalytics.connectors import clients


class FirehoseNotReadable(Exception):
    """The delivery stream cannot feed an application (the reason is the message)."""


class FirehoseInput:
    """Receives what one delivery stream accepts; `poll()` returns [(0, "", record)]."""

    def __init__(self, delivery_stream_arn: str):
        self.arn = delivery_stream_arn
        self._pending: deque[NewRecord] = deque()
        self._lock = threading.Lock()
        self._unsubscribe = None

    def position(self) -> None:
        """Checks the delivery stream exists, then starts receiving its records."""
        if config.SERVICE_PROVIDER_CONFIG.get_provider("firehose") != "lab":
            raise FirehoseNotReadable("Kinesis Firehose inputs need the lab's Firehose "
                                      "(PROVIDER_OVERRIDE_FIREHOSE=lab)")
        clients(self.arn).firehose.describe_delivery_stream(DeliveryStreamName=self.arn.split("/")[-1])
        if self._unsubscribe is None:
            self._unsubscribe = record_consumers.subscribe(self.arn, self._receive)

    def _receive(self, records: list[NewRecord]) -> None:
        with self._lock:
            self._pending.extend(records)

    def poll(self) -> list[tuple[int, str, dict]]:
        with self._lock:
            taken, self._pending = list(self._pending), deque()
        return [(0, "", {"SequenceNumber": r.record_id, "Data": r.data,
                         "ApproximateArrivalTimestamp": datetime.fromtimestamp(r.arrival_ms / 1000, UTC)})
                for r in taken]

    @staticmethod
    def event_metadata(shard_id: str, record: dict) -> dict:
        """The record's metadata in a pre-processing Lambda's event."""
        return {"kinesisFirehoseRecordMetadata": {
            "approximateArrivalTimestamp": int(record["ApproximateArrivalTimestamp"].timestamp() * 1000)}}

    def close(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
