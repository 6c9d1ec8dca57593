"""Every record value of one Kafka topic partition, read from offset 0 until nothing more comes.

The end is "nothing more for `quiet_s`", not the reported end offset, so the count does not rest
on the broker under test (the lab's former stand-in, Tansu 0.6, reported a wrong high watermark). Imports only the standard library and confluent-kafka: the compose
suite runs this module's source inside the lab's network (`python -c`, in a container of the lab's
Python image), where the broker's advertised name `kafka` resolves.
"""
from __future__ import annotations

import json
import time

from confluent_kafka import Consumer, TopicPartition


def topic_values(bootstrap: str, topic: str, partition: int = 0, quiet_s: float = 3.0) -> list:
    """The JSON-decoded values of every record of `topic`'s `partition`, in offset order."""
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"accounting-{time.time()}",
                         "enable.auto.commit": False})
    consumer.assign([TopicPartition(topic, partition, 0)])
    values, quiet_since = [], time.monotonic()
    try:
        while time.monotonic() - quiet_since < quiet_s:
            message = consumer.poll(0.5)
            if message is None or message.error():
                continue
            values.append(json.loads(message.value()))
            quiet_since = time.monotonic()
    finally:
        consumer.close()
    return values
