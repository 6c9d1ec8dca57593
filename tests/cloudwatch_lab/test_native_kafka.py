"""The native lab's Kafka program, for real: supervisord runs the `kafka` block labctl renders
(Tansu on LAB_BIND_ADDRESS:LAB_KAFKA_PORT, topics in the test LocalStack's S3), `make
cloudwatch-lab`'s provisioning and health check start it, and `make status --format json` shows
its topics (records counted, not read off Tansu's high watermark), a consumer group's committed
offsets and lag. Only 127.0.0.1 answers. The broker alone: the agent and the connectors are
helpers A and C's programs (their own suites)."""
from __future__ import annotations

import configparser
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import psutil
import pytest
from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic
from labctl import cloudwatch_lab, cloudwatch_native, kafka_status, native, runtimes, settings
from labctl.errors import LabStartError
from labctl.waiting import wait_until

from tests.conftest import free_port
from tests.labctl.test_loopback_only import answers, non_loopback_addresses

pytestmark = [pytest.mark.localstack]

REPO = Path(__file__).resolve().parents[2]
TOPIC = "cloudwatchLogsEC2.i-0123456789abcdef0"
BATCHES = (120, 250, 30)   # records per producer flush: several batches per partition
KEEP = ("unix_http_server", "supervisord", "rpcinterface:supervisor", "supervisorctl", "program:kafka")


def lab_env(state_dir: Path, localstack_url: str) -> dict[str, str]:
    return {"LAB_STATE_DIR": str(state_dir), "LAB_BIND_ADDRESS": "127.0.0.1",
            "LAB_LOCALSTACK_PORT": localstack_url.rsplit(":", 1)[1], "LAB_KAFKA_PORT": str(free_port()),
            "LAB_APACHE_PORT": str(free_port()), "LAB_OPENSEARCH_PORT": str(free_port()),
            "LAB_DASHBOARDS_PORT": str(free_port())}


@pytest.fixture(scope="module")
def kafka_lab(localstack, tmp_path_factory):
    """supervisord with the native lab's rendered `kafka` program only (the rest of the lab is
    not needed to test the broker's wiring), not started yet."""
    env = lab_env(tmp_path_factory.mktemp("cloudwatch-lab") / "lab", localstack.url)
    s = settings.load(env)
    full = configparser.RawConfigParser()
    full.read_string(native.render_supervisord_conf(s))
    trimmed = configparser.RawConfigParser()
    for section in KEEP:
        trimmed[section] = dict(full[section])
    (s.state_dir / "logs").mkdir(parents=True)
    cloudwatch_lab.native_paths(s)["root"].mkdir(parents=True)
    conf = s.state_dir / "supervisord.conf"
    with conf.open("w") as f:
        trimmed.write(f)
    subprocess.run([str(Path(sys.executable).with_name("supervisord")), "-c", str(conf)], check=True)
    wait_until(lambda: native.program_states(s).get("kafka") == "STOPPED", 30, what="supervisord to answer")
    runtimes.record(s, runtimes.NativeRuntime(s))
    try:
        yield s, env
    finally:
        native.down(s)


def make_status(env: dict[str, str]) -> dict:
    run = subprocess.run([sys.executable, "-m", "labctl", "status", "--format", "json"], cwd=REPO,
                         env={**os.environ, **env}, capture_output=True, text=True, timeout=120, check=True)
    return json.loads(run.stdout)


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


def test_a_taken_kafka_port_is_named_before_anything_starts(kafka_lab):
    s, env = kafka_lab
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        other = settings.load({**env, "LAB_KAFKA_PORT": str(taken.getsockname()[1])})
        with pytest.raises(LabStartError, match=rf"port {other.kafka_port} \(Kafka \(LAB_KAFKA_PORT\)\) on 127.0.0.1 is already in use"):
            cloudwatch_native.start(other)
    assert native.program_states(s)["kafka"] == "STOPPED"


def test_kafka_starts_on_make_cloudwatch_lab_and_status_counts_its_records(kafka_lab, localstack):
    s, env = kafka_lab
    assert make_status(env)["cloudwatch_lab"] == {"state": "not started"}

    assert set(cloudwatch_lab.provision(localstack.url)) == {"lab-kafka", "cloudwatch-kafka-lab"}
    assert cloudwatch_lab.provision(localstack.url) == []  # idempotent
    native.start_program(s, "kafka", "Kafka broker", lambda: kafka_status.health(s.kafka_bootstrap) == "up", 60)

    sent = produce(s.kafka_bootstrap)
    consumer = Consumer({"bootstrap.servers": s.kafka_bootstrap, "group.id": "s3-sink-test",
                         "enable.auto.commit": False})
    consumer.commit(offsets=[TopicPartition(TOPIC, 0, 100)], asynchronous=False)
    consumer.close()

    lab = make_status(env)["cloudwatch_lab"]
    assert lab["state"] == "started" and lab["processes"] == {"kafka": "running"}
    kafka = lab["kafka"]
    assert kafka["health"] == "up" and kafka["bootstrap"] == s.kafka_bootstrap
    topic = kafka["topics"][TOPIC]
    assert topic["partitions"] == 2
    assert topic["records"] == sum(BATCHES)
    assert topic["offsets"] == {"0": [0, sent[0]], "1": [0, sent[1]]}
    assert kafka["groups"]["s3-sink-test"] == {"committed": {f"{TOPIC}+0": 100}, "lag": sent[0] - 100}

    # the broker's only listening socket is on 127.0.0.1, and only there does it answer
    kafka_pid = native.supervisor_rpc(s).supervisor.getProcessInfo("kafka")["pid"]
    listening = {(c.laddr.ip, c.laddr.port) for c in psutil.Process(kafka_pid).net_connections(kind="tcp")
                 if c.status == psutil.CONN_LISTEN}
    assert listening == {("127.0.0.1", s.kafka_port)}
    addresses = non_loopback_addresses()
    assert addresses and not [a for a in addresses if answers(a, s.kafka_port)]


def test_status_text_shows_topics_groups_and_lag(kafka_lab):
    s, env = kafka_lab
    run = subprocess.run([sys.executable, "-m", "labctl", "status"], cwd=REPO, env={**os.environ, **env},
                         capture_output=True, text=True, timeout=120, check=True)
    text = run.stdout.split("CloudWatch lab (make cloudwatch-lab):", 1)[1]
    assert f"kafka {s.kafka_bootstrap}" in text and " up" in text
    assert f"topic {TOPIC}" in text and f"{sum(BATCHES)} records in 2 partitions" in text
    assert "group s3-sink-test" in text and "lag " in text
