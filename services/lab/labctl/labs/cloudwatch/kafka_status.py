"""Kafka as `make status` shows it: the broker's health, topics with their records, consumer
groups with their committed offsets and lag. Through confluent-kafka, the lab's one client.

Records per partition are Kafka's own offsets: end offset - log start offset (the lab's
producers are not transactional, so offsets are consecutive); a group's lag is the end offset
minus its committed offset, as kafka-consumer-groups.sh computes it. The end offset is Kafka's
high watermark, confirmed by reading its last record (`end_offsets` says why).

`python -m labctl.labs.cloudwatch.kafka_status --bootstrap HOST:PORT` prints the same as JSON: the compose
runtime runs it inside the lab's network (labctl.compose), where the broker's advertised
address resolves.
"""
from __future__ import annotations

import argparse
import json
import logging
import time

from confluent_kafka import (
    Consumer,
    ConsumerGroupTopicPartitions,
    KafkaError,
    KafkaException,
    TopicPartition,
)
from confluent_kafka.admin import AdminClient

LOG = logging.getLogger(__name__)

TIMEOUT_S = 5.0
PROBE_GROUP = "labctl-status"  # watermark queries only: it never joins, commits or shows as a group


def _quiet(config: dict) -> dict:
    # librdkafka logs every refused connection to stderr; status reports "down" instead.
    return {**config, "logger": logging.getLogger("labctl.labs.cloudwatch.kafka_status.librdkafka"), "log_level": 0}


def _admin(bootstrap: str) -> AdminClient:
    return AdminClient(_quiet({"bootstrap.servers": bootstrap, "socket.connection.setup.timeout.ms": 3000}))


def health(bootstrap: str, timeout: float = 3.0) -> str:
    """`up` when the broker answers a Metadata request (a real Kafka request, not a TCP connect)."""
    try:
        metadata = _admin(bootstrap).list_topics(timeout=timeout)
    except KafkaException:
        return "down"
    return "up" if metadata.brokers else "down"


def end_offsets(bootstrap: str, partitions: list[tuple[str, int]],
                timeout: float = TIMEOUT_S) -> dict[tuple[str, int], tuple[int, int]]:
    """(topic, partition) -> (log start offset, end offset). The end is confirmed by reading from
    the reported high watermark - 1 to the end-of-partition signal: on Apache Kafka that reads one
    record and gives the high watermark itself; a broker that reported the start of a
    partition's last batch + 1 as its high watermark (Tansu 0.6, the lab's former stand-in)
    would still be counted right."""
    consumer = Consumer(_quiet({"bootstrap.servers": bootstrap, "group.id": PROBE_GROUP,
                                "enable.auto.commit": False, "enable.partition.eof": True}))
    try:
        ranges, start_at = {}, []
        for topic, partition in partitions:
            low, high = consumer.get_watermark_offsets(TopicPartition(topic, partition), timeout=timeout)
            ranges[(topic, partition)] = (low, high)
            if high > low:
                start_at.append(TopicPartition(topic, partition, max(low, high - 1)))
        ends = {key: high for key, (_low, high) in ranges.items()}
        pending = {(tp.topic, tp.partition) for tp in start_at}
        if start_at:
            consumer.assign(start_at)
        deadline = time.monotonic() + timeout
        while pending and time.monotonic() < deadline:
            for message in consumer.consume(10000, 0.2):
                key = (message.topic(), message.partition())
                error = message.error()
                if error is None:
                    ends[key] = max(ends[key], message.offset() + 1)
                elif error.code() == KafkaError._PARTITION_EOF:
                    ends[key] = max(ends[key], message.offset())
                    pending.discard(key)
        if pending:
            LOG.warning("no end of partition within %.0fs for %s: counts may be short", timeout, sorted(pending))
        return {key: (low, ends[key]) for key, (low, _high) in ranges.items()}
    finally:
        consumer.close()


def topics(bootstrap: str, timeout: float = TIMEOUT_S) -> dict[str, dict]:
    """topic -> {"partitions": n, "records": total, "offsets": {partition: [start, end]}};
    Kafka's internal topics (`__consumer_offsets`...) left out."""
    metadata = _admin(bootstrap).list_topics(timeout=timeout)
    names = {name: sorted(t.partitions) for name, t in metadata.topics.items() if not name.startswith("__")}
    offsets = end_offsets(bootstrap, [(name, p) for name, parts in names.items() for p in parts], timeout)
    return {name: {"partitions": len(parts),
                   "records": sum(offsets[(name, p)][1] - offsets[(name, p)][0] for p in parts),
                   "offsets": {str(p): list(offsets[(name, p)]) for p in parts}}
            for name, parts in sorted(names.items())}


def groups(bootstrap: str, topic_offsets: dict[str, dict], timeout: float = TIMEOUT_S) -> dict[str, dict]:
    """group -> {"committed": {"<topic>+<partition>": offset}, "lag": total records not yet committed}."""
    admin = _admin(bootstrap)
    listed = admin.list_consumer_groups(request_timeout=timeout).result(timeout)
    found = {}
    for group in sorted(g.group_id for g in listed.valid if g.group_id != PROBE_GROUP):
        request = [ConsumerGroupTopicPartitions(group)]
        result = admin.list_consumer_group_offsets(request, request_timeout=timeout)[group].result(timeout)
        committed, lag = {}, 0
        for tp in result.topic_partitions or []:
            if tp.offset < 0:
                continue
            committed[f"{tp.topic}+{tp.partition}"] = tp.offset
            end = topic_offsets.get(tp.topic, {}).get("offsets", {}).get(str(tp.partition))
            if end is not None:
                lag += max(0, end[1] - tp.offset)
        found[group] = {"committed": committed, "lag": lag}
    return found


def collect(bootstrap: str) -> dict:
    """Everything status shows about Kafka; {"health": "down"} when the broker does not answer."""
    state = health(bootstrap)
    if state != "up":
        return {"health": state, "bootstrap": bootstrap}
    try:
        found = topics(bootstrap)
        return {"health": "up", "bootstrap": bootstrap, "topics": found, "groups": groups(bootstrap, found)}
    except KafkaException as error:
        return {"health": "up", "bootstrap": bootstrap, "error": str(error)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m labctl.labs.cloudwatch.kafka_status", description=__doc__)
    parser.add_argument("--bootstrap", required=True)
    print(json.dumps(collect(parser.parse_args(argv).bootstrap), sort_keys=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
