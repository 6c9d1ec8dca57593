"""`make cloudwatch-lab`'s Kafka on the native lab, for real: after `make up` (labctl.native.up),
labctl.labs.cloudwatch.native_side.start provisions the sink's bucket, renders awslogs.conf, has supervisord
apply the configuration and starts the `kafka` program (Apache Kafka 4.1.1, KRaft, on
LAB_BIND_ADDRESS:LAB_KAFKA_PORT with its controller on LAB_KAFKA_CONTROLLER_PORT, log dirs in the
state dir), waiting on a Kafka Metadata request. `make status --format json` then shows its
topics (Kafka's own log start offsets and high watermarks, equal to what was produced), a consumer
group's committed offsets and lag; only 127.0.0.1 answers; `make down` stops the broker too.

The broker only: the agent and the two connectors are helpers A and C's programs (their suites
test them; the lead's end-to-end test runs all four through `make cloudwatch-lab`)."""
from __future__ import annotations

import configparser
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import boto3
import psutil
import pytest
from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic
from labctl import native, settings
from labctl.errors import LabStartError
from labctl.labs.cloudwatch import lab as cloudwatch_lab
from labctl.labs.cloudwatch import native_side as cloudwatch_native

from tests.cloudwatch_lab.conftest import running_native_lab
from tests.labctl.test_loopback_only import answers, non_loopback_addresses

pytestmark = [pytest.mark.e2e, pytest.mark.apache, pytest.mark.localstack, pytest.mark.opensearch]

REPO = Path(__file__).resolve().parents[2]
TOPIC = "cloudwatchLogsEC2.i-0123456789abcdef0"
BATCHES = (120, 250, 30)   # records per producer flush: several batches per partition


@pytest.fixture(scope="module")
def native_lab(tmp_path_factory):
    """The native lab after `make up`: the CloudWatch lab's programs rendered, not started."""
    with running_native_lab(tmp_path_factory, "cloudwatch-lab") as lab:
        yield lab


def make_status(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "labctl", "status", "--format", "json"], cwd=REPO,
                          env={**os.environ, **env}, capture_output=True, text=True, timeout=120, check=True)


def produce(bootstrap: str) -> dict[int, int]:
    """Records per partition, produced in several flushes (several batches per partition)."""
    admin = AdminClient({"bootstrap.servers": bootstrap})
    admin.create_topics([NewTopic(TOPIC, 2)])[TOPIC].result(10)
    producer = Producer({"bootstrap.servers": bootstrap, "linger.ms": 20})
    sent = {0: 0, 1: 0}
    for count in BATCHES:
        for i in range(count):
            producer.produce(TOPIC, f"line {i}".encode(), partition=i % 2)
            sent[i % 2] += 1
        assert producer.flush(10) == 0
    return sent


def test_a_taken_kafka_port_is_named_before_anything_starts(native_lab):
    s, env = native_lab
    assert json.loads(make_status(env).stdout)["cloudwatch_lab"] == {"state": "not started"}
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        other = settings.load({**env, "LAB_KAFKA_PORT": str(taken.getsockname()[1])})
        with pytest.raises(LabStartError, match=rf"port {other.kafka_port} \(Kafka \(LAB_KAFKA_PORT\)\) "
                                                r"on 127.0.0.1 is already in use"):
            cloudwatch_native.start(other)
    # nothing started: its programs join supervisord only once the checks pass
    assert native.program_states(s).get("kafka") in (None, "STOPPED")


def test_kafka_starts_and_status_counts_its_records(native_lab):
    s, env = native_lab
    cloudwatch_native.start(s, movers=())
    assert native.program_states(s)["kafka"] == "RUNNING"
    s3 = boto3.client("s3", endpoint_url=s.localstack_url, region_name="us-east-1",
                      aws_access_key_id="test", aws_secret_access_key="test")
    assert "cloudwatch-kafka-lab" in {b["Name"] for b in s3.list_buckets()["Buckets"]}
    assert (cloudwatch_lab.native_paths(s)["root"] / "kafka" / "data" / "meta.properties").is_file()
    conf = configparser.RawConfigParser()
    conf.read(cloudwatch_lab.native_paths(s)["awslogs_conf"])
    assert conf["application_logs"]["file"] == str(s.state_dir / "apache" / "logs" / "access_log")

    sent = produce(s.kafka_bootstrap)
    consumer = Consumer({"bootstrap.servers": s.kafka_bootstrap, "group.id": "s3-sink-test",
                         "enable.auto.commit": False})
    consumer.commit(offsets=[TopicPartition(TOPIC, 0, 100)], asynchronous=False)
    consumer.close()

    lab = json.loads(make_status(env).stdout)["cloudwatch_lab"]
    assert lab["state"] == "started"
    assert lab["processes"] == {"kafka": "running", "awslogs-agent": "stopped",
                                "cloudwatch-source": "stopped", "s3-sink": "stopped"}
    kafka = lab["kafka"]
    assert kafka["health"] == "up" and kafka["bootstrap"] == s.kafka_bootstrap
    topic = kafka["topics"][TOPIC]
    assert topic["partitions"] == 2
    assert topic["records"] == sum(BATCHES)
    assert topic["offsets"] == {"0": [0, sent[0]], "1": [0, sent[1]]}
    assert kafka["groups"]["s3-sink-test"] == {"committed": {f"{TOPIC}+0": 100}, "lag": sent[0] - 100}

    # the broker's only listening socket is on 127.0.0.1, and only there does it answer
    kafka_pid = native.supervisor_rpc(s).supervisor.getProcessInfo("kafka")["pid"]
    # a JVM reports IPv4 sockets in their IPv6-mapped form (::ffff:127.0.0.1)
    listening = {(c.laddr.ip.removeprefix("::ffff:"), c.laddr.port)
                 for c in psutil.Process(kafka_pid).net_connections(kind="tcp") if c.status == psutil.CONN_LISTEN}
    assert listening == {("127.0.0.1", s.kafka_port), ("127.0.0.1", s.kafka_controller_port)}
    addresses = non_loopback_addresses()
    assert addresses and not [a for a in addresses if answers(a, s.kafka_port)]


def test_status_text_shows_topics_groups_and_lag(native_lab):
    s, env = native_lab
    run = subprocess.run([sys.executable, "-m", "labctl", "status"], cwd=REPO, env={**os.environ, **env},
                         capture_output=True, text=True, timeout=120, check=True)
    text = run.stdout.split("CloudWatch lab (make cloudwatch-lab):", 1)[1]
    assert f"kafka {s.kafka_bootstrap}" in text and " up" in text
    assert f"topic {TOPIC}" in text and f"{sum(BATCHES)} records in 2 partitions" in text
    assert "group s3-sink-test" in text and "lag " in text


def test_down_stops_the_broker_too(native_lab):
    s, _env = native_lab
    kafka = psutil.Process(native.supervisor_rpc(s).supervisor.getProcessInfo("kafka")["pid"])
    assert native.down(s) is True
    assert not kafka.is_running() or kafka.status() == psutil.STATUS_ZOMBIE
