"""Confluent's Amazon S3 Sink connector, as the lab's own process.

A consumer in group `connect-<name>` (as Kafka Connect names a sink's group) reads the topics
(`topics` or `topics.regex`), hands each record to its partition's writer (partition_writer.py)
and writes every closed file to S3: the value object, then the keys object, then commits the
offset after the file. Kafka and S3 are retried with backoff; nothing is skipped.
A failed offset commit is kept pending and tried again between polls, never in a loop of its
own: after a broker restart the group has forgotten this member (UNKNOWN_MEMBER_ID) and only
polling rejoins it. Commits are cumulative, so the next one covers every earlier file; a
partition revoked meanwhile is read again from its last committed offset by its next owner.
A file whose object already exists (a restart after a crash between PutObject and the commit)
is written again under the same name and counted in `objects_rewritten`.
"""
from __future__ import annotations

import logging
import threading
import time
from typing import Any
from zoneinfo import ZoneInfo

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from confluent_kafka import Consumer, KafkaError, KafkaException, TopicPartition

from kafka_connect.config import SinkConfig
from kafka_connect.partition_writer import ClosedFile, PartitionWriter, next_schedule_ms, wall_ms
from kafka_connect.partitioner import Partitioner, zone_offset_ms
from kafka_connect.stats import StatsFile, note_retry, sleep_unless

log = logging.getLogger(__name__)


class SinkFailed(RuntimeError):
    """The connector stops (as a Connect task goes FAILED): the record cannot be written."""


class Stopped(Exception):
    """Asked to stop while a write was being retried: the open file is written again next run."""


class S3Sink:
    def __init__(self, cfg: SinkConfig, bootstrap: str, aws_endpoint: str, stats_path):
        self.cfg = cfg
        self.s3 = boto3.client(
            "s3", endpoint_url=aws_endpoint, region_name=cfg.region,
            aws_access_key_id="test", aws_secret_access_key="test",
            config=Config(retries={"max_attempts": 2, "mode": "standard"}, connect_timeout=3,
                          read_timeout=30, s3={"addressing_style": "path"}))
        self.partitioner = Partitioner(cfg)
        self.consumer = Consumer({
            "bootstrap.servers": bootstrap, "group.id": f"connect-{cfg.name}",
            "enable.auto.commit": False, "auto.offset.reset": "earliest",
            "session.timeout.ms": 6000, "heartbeat.interval.ms": 1000,
            "max.poll.interval.ms": 3_600_000,      # S3 retries may hold a record for long
            "topic.metadata.refresh.interval.ms": 2000,   # new topics matching topics.regex
            "reconnect.backoff.max.ms": 1000,         # back quickly after a broker restart
            "client.id": f"connector-{cfg.name}", "log_level": 3, **dict(cfg.consumer_overrides)})
        self.writers: dict[tuple[str, int], PartitionWriter] = {}
        self.counts: dict[str, int] = {"records_consumed": 0, "objects_written": 0, "records_written": 0,
                                       "keys_objects_written": 0, "objects_rewritten": 0,
                                       "records_rewritten": 0, "retries": 0}
        self.committed: dict[str, int] = {}
        self.pending: dict[tuple[str, int], int] = {}  # written, offset not yet committed
        self._commit_attempt = 0
        self._next_commit_at = 0.0
        self.last_error = ""
        self.stats = StatsFile(stats_path, self.snapshot)
        zone = ZoneInfo(cfg.timezone)
        self._zone_offset_ms = lambda ms: zone_offset_ms(zone, ms)
        self.next_schedule = 0

    def snapshot(self) -> dict[str, Any]:
        return {"connector": self.cfg.name, "connector_class": "S3_SINK", **self.counts,
                "open_records": sum(len(w.lines) for w in self.writers.values()),
                "committed": dict(self.committed), "last_error": self.last_error}

    def run(self, stop: threading.Event) -> None:
        topics = list(self.cfg.topics) or [f"^({self.cfg.topics_regex})$"]
        self.consumer.subscribe(topics, on_assign=self._on_assign, on_revoke=self._on_revoke)
        self.stats.start()
        if self.cfg.rotate_schedule_interval_ms > 0:
            now = wall_ms()
            self.next_schedule = next_schedule_ms(self.cfg, now, self._zone_offset_ms(now))
        log.info("S3 sink %s: %s -> s3://%s/%s/", self.cfg.name, ", ".join(topics), self.cfg.bucket,
                 self.cfg.topics_dir)
        try:
            while not stop.is_set():
                msgs = self.consumer.consume(num_messages=5000, timeout=0.2)
                for msg in msgs:
                    if msg.error():
                        self._kafka_error(msg.error())
                        continue
                    self.counts["records_consumed"] += 1
                    writer = self._writer(msg.topic(), msg.partition())
                    ts_type, ts = msg.timestamp()
                    for closed in writer.add(msg.offset(), ts if ts_type else None, msg.key(), msg.value()):
                        self._write(closed, writer, stop)
                self._time_rotations(stop)
                self._commit_pending()
        finally:
            try:
                self._commit_pending(force=True)
                self.consumer.close()
            except (KafkaException, RuntimeError):
                pass
            self.stats.stop()

    def _writer(self, topic: str, partition: int) -> PartitionWriter:
        key = (topic, partition)
        if key not in self.writers:
            self.writers[key] = PartitionWriter(self.cfg, self.partitioner, topic, partition)
        return self.writers[key]

    def _on_assign(self, consumer, partitions) -> None:
        try:
            for tp in consumer.committed(partitions, timeout=10):
                if tp.offset >= 0:
                    self.committed[f"{tp.topic}+{tp.partition}"] = tp.offset
        except KafkaException as e:
            log.debug("committed offsets of %s: %s", partitions, e)

    def _on_revoke(self, _consumer, partitions) -> None:
        self._commit_pending(force=True)   # last chance for what this member wrote
        for tp in partitions:   # uncommitted files are read again (and rewritten) by the next owner
            self.writers.pop((tp.topic, tp.partition), None)
            self.pending.pop((tp.topic, tp.partition), None)

    def _commit_pending(self, force: bool = False) -> None:
        """Commit the offsets after the files written so far; on failure keep them pending and
        try again after a backoff, between polls."""
        if not self.pending or (not force and time.monotonic() < self._next_commit_at):
            return
        offsets = [TopicPartition(topic, partition, offset) for (topic, partition), offset in self.pending.items()]
        try:
            self.consumer.commit(offsets=offsets, asynchronous=False)
        except (KafkaException, RuntimeError) as e:
            wait = note_retry(self, f"Kafka commit: {e}", self._commit_attempt)
            self._commit_attempt += 1
            self._next_commit_at = time.monotonic() + wait
            return
        for (topic, partition), offset in self.pending.items():
            self.committed[f"{topic}+{partition}"] = offset
        self.pending.clear()
        self._commit_attempt = 0
        self.last_error = ""

    def _kafka_error(self, err: KafkaError) -> None:
        if err.code() == KafkaError._PARTITION_EOF:
            return
        self.last_error = f"Kafka: {err}"
        if err.fatal():
            raise SinkFailed(self.last_error)
        log.debug("consumer: %s", err)

    def _time_rotations(self, stop: threading.Event) -> None:
        now = wall_ms()
        for writer in list(self.writers.values()):
            closed = writer.idle(now)
            if closed:
                self._write(closed, writer, stop)
        if self.next_schedule and now >= self.next_schedule:
            for writer in list(self.writers.values()):
                if writer.lines:
                    self._write(writer.close(), writer, stop)
            self.next_schedule = next_schedule_ms(self.cfg, now, self._zone_offset_ms(now))

    def _write(self, f: ClosedFile, writer: PartitionWriter, stop: threading.Event) -> None:
        """PutObject (values, then keys) and commit, each retried until it succeeds or we stop."""
        key = writer.object_key(f, ".json")
        keys_ext = ".keys.json" if self.cfg.keys_format == "JSON" else ".keys.bin"
        puts = [(key, f.values)] + ([(writer.object_key(f, keys_ext), f.keys)] if f.keys is not None else [])
        existed = self._retry(stop, "S3 HeadObject", lambda: self._exists(key))
        for obj_key, body in puts:
            self._retry(stop, f"S3 PutObject {obj_key}", lambda k=obj_key, b=body: self.s3.put_object(
                Bucket=self.cfg.bucket, Key=k, Body=b, ContentType="application/json"))
        self.counts["objects_written"] += 1
        self.counts["records_written"] += f.records
        self.counts["keys_objects_written"] += len(puts) - 1
        if existed:
            self.counts["objects_rewritten"] += 1
            self.counts["records_rewritten"] += f.records
            log.info("rewrote s3://%s/%s (written before a restart, offsets not yet committed)",
                     self.cfg.bucket, key)
        else:
            log.info("wrote s3://%s/%s (%d records)", self.cfg.bucket, key, f.records)
        self.pending[(f.topic, f.partition)] = f.next_offset
        self._commit_pending()

    def _exists(self, key: str) -> bool:
        try:
            self.s3.head_object(Bucket=self.cfg.bucket, Key=key)
            return True
        except ClientError as e:
            if e.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise

    def _retry(self, stop: threading.Event, what: str, call):
        attempt = 0
        while True:
            try:
                return call()
            except (BotoCoreError, ClientError, KafkaException) as e:
                no_bucket = isinstance(e, ClientError) and e.response.get("Error", {}).get("Code") == "NoSuchBucket"
                wait = note_retry(self, f"{what}: bucket {self.cfg.bucket} does not exist" if no_bucket
                                  else f"{what}: {e}", attempt)
                attempt += 1
                if sleep_unless(stop, wait):
                    raise Stopped(f"stopped while retrying {what}") from e
