"""Fixtures for the connectors' tests: one real broker (Apache Kafka), shared while the folder's
files run (tests/support/shared_servers.py), the connectors run as the lab runs them
(`python -m kafka_connect ...` subprocesses), and readers that count records instead of
trusting the broker's high watermark."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from confluent_kafka import OFFSET_BEGINNING, Consumer, Producer, TopicPartition

from tests.conftest import free_port
from tests.support.kafka_broker import running_broker
from tests.support.shared_servers import shared
from tests.support.waiting import wait_for

REPO = Path(__file__).resolve().parents[2]
CONFIG_DIR = REPO / "services/kafka_connect/config"


@pytest.fixture(scope="module")
def broker(tmp_path_factory):
    """A real Kafka broker shared by the files that follow each other in this worker."""
    return shared("broker", lambda: running_broker(tmp_path_factory.mktemp("kafka"), free_port())).get()


class ConnectorProcess:
    def __init__(self, workdir: Path, config: dict, bootstrap: str, endpoint: str):
        self.workdir = workdir
        workdir.mkdir(parents=True, exist_ok=True)
        self.config_file = workdir / "connector.json"
        self.config_file.write_text(json.dumps({"name": config["name"], "config": config}))
        self.stats_file = workdir / "stats.json"
        self.state_dir = workdir / "state"
        self.log_file = workdir / "connector.log"
        self.bootstrap, self.endpoint = bootstrap, endpoint
        self.proc: subprocess.Popen | None = None

    def command(self) -> list[str]:
        return [sys.executable, "-m", "kafka_connect", "--config", str(self.config_file),
                "--bootstrap", self.bootstrap, "--aws-endpoint", self.endpoint,
                "--state-dir", str(self.state_dir), "--stats-file", str(self.stats_file)]

    def start(self) -> ConnectorProcess:
        self.stats_file.unlink(missing_ok=True)
        with open(self.log_file, "ab") as log:
            self.proc = subprocess.Popen(self.command(), stdout=log, stderr=subprocess.STDOUT, cwd=REPO,
                                         env={**os.environ, "PYTHONUNBUFFERED": "1"})
        wait_for(lambda: self.stats_file.exists() or self.proc.poll() is not None, 30, 0.1,
                 f"{self.config_file} connector to start")
        assert self.proc.poll() is None, self.log()
        return self

    def stats(self) -> dict:
        try:
            return json.loads(self.stats_file.read_text())
        except (OSError, ValueError):
            return {}

    def log(self) -> str:
        return self.log_file.read_text(errors="replace")[-4000:]

    def kill(self) -> None:
        """SIGKILL, as a crash would."""
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def stop(self) -> int | None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()
        return self.proc.returncode if self.proc else None


@pytest.fixture()
def connectors(tmp_path):
    started: list[ConnectorProcess] = []

    def make(config: dict, bootstrap: str, endpoint: str, workdir: Path | None = None) -> ConnectorProcess:
        c = ConnectorProcess(workdir or tmp_path / f"c{len(started)}", config, bootstrap, endpoint)
        started.append(c)
        return c

    yield make
    for c in started:
        c.stop()


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:8]}"


def read_topic(bootstrap: str, topic: str, count: int, timeout: float = 60, distinct=None) -> list:
    """Every record of partition 0 from the start, until `count` records were read (or fail).
    Assigned, not subscribed: no consumer-group join to wait for. With `distinct` (a function of
    a record), `count` distinct values of it (duplicates are read and kept too)."""
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": unique("reader-"),
                         "auto.offset.reset": "earliest", "enable.auto.commit": False, "log_level": 3})
    consumer.assign([TopicPartition(topic, 0, OFFSET_BEGINNING)])
    got: list = []
    try:
        def enough():
            for m in consumer.consume(1000, 0.5):
                if not m.error():
                    got.append(m)
            return len(got if distinct is None else {distinct(m) for m in got}) >= count
        wait_for(enough, timeout, 0, f"{count} records in {topic} (have {len(got)})")
        for m in consumer.consume(1000, 1.0):   # anything beyond `count` (duplicates) too
            if not m.error():
                got.append(m)
    finally:
        consumer.close()
    return got


def produce(bootstrap: str, topic: str, records: list[tuple[bytes | None, bytes | None, int]]) -> None:
    """(key, value, timestamp ms) records, every delivery confirmed."""
    p = Producer({"bootstrap.servers": bootstrap, "linger.ms": 5, "log_level": 3})
    errors: list = []
    for key, value, ts in records:
        p.produce(topic, key=key, value=value, timestamp=ts,
                  on_delivery=lambda err, _m: err and errors.append(err))
        p.poll(0)
    assert p.flush(30) == 0 and not errors, errors


def create_topic(bootstrap: str, topic: str, partitions: int = 1) -> None:
    from confluent_kafka.admin import AdminClient, NewTopic

    admin = AdminClient({"bootstrap.servers": bootstrap, "log_level": 3})
    # The tests' records carry past times (to name year folders), and Kafka's time retention
    # (7 days, of the records' own timestamps) would delete them at its next check, before a
    # slow consumer reads them: the log start jumped to 3,000 on a loaded machine. Kept forever.
    admin.create_topics([NewTopic(topic, partitions, 1, config={"retention.ms": "-1"})])[topic].result(30)
