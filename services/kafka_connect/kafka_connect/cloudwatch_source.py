"""Confluent's Amazon CloudWatch Logs Source connector, as the lab's own process.

Every `aws.poll.interval.ms` it lists the group's streams (or takes `aws.cloudwatch.log.streams`),
reads each stream forward with GetLogEvents from its committed nextForwardToken, and produces
one record per event to the stream's topic (`kafka.topic.format`, created with 1 partition when
missing). Key `Struct{logGroupName=..,logStreamName=..,timestamp=..}` (Confluent Cloud's string
key), value the message as a JSON string, record timestamp the event's. The position moves
(positions.py) only after the producer's delivery reports confirm the page: at least once;
a crash replays at most the page in flight, and the replay is counted (`records_replayed`).
"""
from __future__ import annotations

import json
import logging
import threading
import time
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from confluent_kafka import KafkaError, KafkaException, Producer
from confluent_kafka.admin import AdminClient, NewTopic

from kafka_connect.config import SourceConfig
from kafka_connect.positions import Positions
from kafka_connect.stats import StatsFile, note_retry, sleep_unless

log = logging.getLogger(__name__)
PAGE_LIMIT = 10_000          # GetLogEvents' maximum
DELIVERY_TIMEOUT_MS = 120_000


def topic_name(fmt: str, group: str, stream: str) -> str:
    return fmt.replace("${log-group}", group).replace("${log-stream}", stream)


def record_key(cfg: SourceConfig, stream: str, timestamp: int) -> bytes:
    if cfg.key_format == "JSON":
        return json.dumps({"logGroupName": cfg.log_group, "logStreamName": stream,
                           "timestamp": timestamp}, separators=(",", ":")).encode()
    return f"Struct{{logGroupName={cfg.log_group},logStreamName={stream},timestamp={timestamp}}}".encode()


def record_value(message: str) -> bytes:
    return json.dumps(message, ensure_ascii=False).encode("utf-8")


class DeliveryFailed(RuntimeError):
    pass


class CloudWatchSource:
    def __init__(self, cfg: SourceConfig, bootstrap: str, aws_endpoint: str, state_dir, stats_path):
        self.cfg = cfg
        self.bootstrap = bootstrap
        self.logs = boto3.client(
            "logs", endpoint_url=aws_endpoint, region_name=cfg.region,
            aws_access_key_id="test", aws_secret_access_key="test",
            config=Config(retries={"max_attempts": 2, "mode": "standard"}, connect_timeout=3, read_timeout=30))
        self.positions = Positions(state_dir, cfg.name)
        self.producer = Producer({
            "bootstrap.servers": bootstrap, "acks": "all", "linger.ms": 5,
            "max.in.flight.requests.per.connection": 1,       # keep each stream's order through retries
            "message.timeout.ms": DELIVERY_TIMEOUT_MS, "compression.type": "none",
            "reconnect.backoff.max.ms": 1000,                # back quickly after a broker restart
            "client.id": f"connector-{cfg.name}", "log_level": 3})
        self.admin = AdminClient({"bootstrap.servers": bootstrap, "log_level": 3})
        self.known_topics: set[str] = set()
        self.counts: dict[str, Any] = {"events_read": 0, "records_produced": 0, "records_replayed": 0,
                                       "get_log_events_calls": 0, "retries": 0}
        self.topics: dict[str, int] = {}
        self.last_error = ""
        self.replay_pending: dict[str, int] = {}
        self.stats = StatsFile(stats_path, self.snapshot)

    def snapshot(self) -> dict[str, Any]:
        return {"connector": self.cfg.name, "connector_class": "CloudWatchLogsSource", **self.counts,
                "topics": dict(self.topics), "last_error": self.last_error,
                "streams": {k: {"events": v.events, "last_timestamp": v.last_timestamp}
                            for k, v in self.positions.streams.items()}}

    # -- run loop -------------------------------------------------------------------------
    def run(self, stop: threading.Event) -> None:
        self._mark_possible_replay()
        self.stats.start()
        log.info("CloudWatch Logs source %s: group %s, streams %s, every %d ms", self.cfg.name,
                 self.cfg.log_group, ", ".join(self.cfg.log_streams) or "(all)", self.cfg.poll_interval_ms)
        attempt = 0
        try:
            while not stop.is_set():
                started = time.monotonic()
                try:
                    for stream in self._streams():
                        if stop.is_set():
                            break
                        self._drain(stream, stop)
                    attempt = 0
                    if self.last_error:
                        log.info("recovered")
                    self.last_error = ""
                    wait = self.cfg.poll_interval_ms / 1000 - (time.monotonic() - started)
                except (BotoCoreError, ClientError, KafkaException, DeliveryFailed) as e:
                    wait = note_retry(self, f"{type(e).__name__}: {e}", attempt)
                    attempt += 1
                if sleep_unless(stop, wait):
                    break
        finally:
            self.producer.flush(5)
            self.stats.stop()

    def _mark_possible_replay(self) -> None:
        """After an unclean stop the page in flight is produced again: count it as replayed."""
        marker = self.positions.path.with_suffix(".inflight")
        if marker.exists():
            try:
                self.replay_pending = json.loads(marker.read_text())
            except ValueError:
                self.replay_pending = {}
        self.inflight_marker = marker

    def _streams(self) -> list[str]:
        if self.cfg.log_streams:
            return list(self.cfg.log_streams)
        names: list[str] = []
        try:
            for page in self.logs.get_paginator("describe_log_streams").paginate(logGroupName=self.cfg.log_group):
                names += [s["logStreamName"] for s in page.get("logStreams", [])]
        except ClientError as e:
            if e.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
                self.last_error = f"log group {self.cfg.log_group} does not exist (yet)"
                return []
            raise
        return sorted(names)

    def _drain(self, stream: str, stop: threading.Event) -> None:
        pos = self.positions.get(stream)
        topic = topic_name(self.cfg.topic_format, self.cfg.log_group, stream)
        while not stop.is_set():
            kwargs: dict[str, Any] = {"logGroupName": self.cfg.log_group, "logStreamName": stream,
                                      "startFromHead": True, "limit": PAGE_LIMIT}
            if pos.token:
                kwargs["nextToken"] = pos.token
            try:
                resp = self.logs.get_log_events(**kwargs)
            except ClientError as e:
                if e.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
                    log.debug("stream %s not there (yet)", stream)
                    return
                raise
            self.counts["get_log_events_calls"] += 1
            events = resp.get("events", [])
            token = resp.get("nextForwardToken", pos.token)
            if events:
                self.counts["events_read"] += len(events)
                self._ensure_topic(topic)
                if not self._produce_page(stream, topic, events, stop):
                    return
                pos.events += len(events)
                pos.last_timestamp = events[-1]["timestamp"]
            if token == pos.token:
                return
            pos.token = token
            self.positions.commit()
            self._clear_inflight()

    def _produce_page(self, stream: str, topic: str, events: list[dict], stop: threading.Event) -> bool:
        """Produce and wait for every delivery report; False when asked to stop first."""
        self._set_inflight(stream, len(events))
        failures: list[str] = []
        delivered = [0]

        def on_delivery(err, _msg):
            if err is not None:
                failures.append(str(err))
            else:
                delivered[0] += 1

        for ev in events:
            while True:
                try:
                    self.producer.produce(topic, value=record_value(ev["message"]),
                                          key=record_key(self.cfg, stream, ev["timestamp"]),
                                          timestamp=ev["timestamp"], on_delivery=on_delivery)
                    break
                except BufferError:
                    self.producer.poll(0.1)
        while self.producer.flush(1.0) > 0:
            self.last_error = "waiting for the broker to confirm records"
            if stop.is_set():
                return False          # position not moved: the page is produced again next run
        if failures:
            self.replay_pending[stream] = delivered[0]
            raise DeliveryFailed(f"{len(failures)} of {len(events)} records not delivered to {topic} "
                                 f"({failures[0]}); the page is produced again")
        replayed = min(self.replay_pending.pop(stream, 0), len(events))
        self.counts["records_replayed"] += replayed
        self.counts["records_produced"] += delivered[0]
        self.topics[topic] = self.topics.get(topic, 0) + delivered[0]
        return True

    def _set_inflight(self, stream: str, n: int) -> None:
        self.inflight_marker.write_text(json.dumps({stream: n}))

    def _clear_inflight(self) -> None:
        self.inflight_marker.unlink(missing_ok=True)

    def _ensure_topic(self, topic: str) -> None:
        if topic in self.known_topics:
            return
        meta = self.admin.list_topics(timeout=10)
        if topic not in meta.topics or meta.topics[topic].error is not None:
            fut = self.admin.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1)])[topic]
            try:
                fut.result(timeout=30)
                log.info("created topic %s (1 partition)", topic)
            except KafkaException as e:
                if e.args[0].code() != KafkaError.TOPIC_ALREADY_EXISTS:
                    raise
        self._await_partitions(topic)
        self.known_topics.add(topic)

    def _await_partitions(self, topic: str, timeout_s: float = 30) -> None:
        """Until the producer itself knows the topic's partitions. A record produced before
        that waits in librdkafka's unassigned queue, and one produced while that queue is
        being moved to the partition can overtake it: the stream's first records out of order."""
        deadline = time.monotonic() + timeout_s
        while True:
            found = self.producer.list_topics(topic, timeout=5).topics.get(topic)
            if found is not None and found.error is None and found.partitions:
                return
            if time.monotonic() > deadline:
                raise KafkaException(KafkaError(KafkaError._TIMED_OUT,
                                                f"topic {topic} has no partitions after {timeout_s:.0f} s"))
            time.sleep(0.2)
