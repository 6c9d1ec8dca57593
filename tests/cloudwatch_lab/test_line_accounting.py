"""Every access-log line through the CloudWatch lab, accounted for at each stage: CloudWatch Logs
events, Kafka records, S3 sink objects, and rows of the notebooks' Spark table.

The lab as a user runs it: `make up` (native), `make cloudwatch-lab` (labctl.cloudwatch_native.start:
Kafka on LocalStack's S3, the awslogs agent, the CloudWatch Logs source and the S3 sink, all four
supervised), traffic through Apache from the generator. Lines are matched as multisets: a line
written once must appear once in a clean run; under faults (Kafka and the sink killed with SIGKILL
mid-burst; supervisord restarts them) it must appear at least once, and every extra copy is counted
and reported (the connectors' documented at-least-once).

The sink keeps a partial object open until a record 10 s (rotate.interval.ms, record time) after
its first arrives (Confluent's rule, tests/kafka_connect check it): each burst is followed, 11 s
later, by one marker request whose line closes the burst's last object and is itself not counted.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
from labctl import cloudwatch_lab, cloudwatch_native, native, runtimes, settings

from tests.conftest import free_port
from tests.support import cloudwatch_accounting as ca
from tests.support import kafka_records
from tests.support.cloudwatch_accounting import missing_and_extra
from tests.support.waiting import wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.apache, pytest.mark.localstack, pytest.mark.opensearch,
              pytest.mark.slow, pytest.mark.timeout(900)]

REPO = Path(__file__).resolve().parents[2]
NOTES = REPO / "build" / "cloudwatch-lab" / "accounting-notes.txt"


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A native lab with the CloudWatch lab started on it (all four programs)."""
    env = {"LAB_STATE_DIR": str(tmp_path_factory.mktemp("cloudwatch-accounting") / "lab"),
           "LAB_BIND_ADDRESS": "127.0.0.1", "LAB_BUFFER_INTERVAL": "1",
           **{key: str(free_port()) for key in ("LAB_APACHE_PORT", "LAB_LOCALSTACK_PORT", "LAB_OPENSEARCH_PORT",
                                                "LAB_DASHBOARDS_PORT", "LAB_KAFKA_PORT")}}
    s = settings.load(env)
    runtimes.record(s, runtimes.NativeRuntime(s))
    try:
        native.up(s)
        cloudwatch_native.start(s)
        yield s
    finally:
        native.down(s)


def _generate(s: settings.LabSettings, count: int, rate: int) -> None:
    subprocess.run([sys.executable, "-m", "generator", "--url", s.apache_url, "--count", str(count),
                    "--rate", str(rate), "--seed", str(count), "--no-progress"], cwd=REPO, check=True, capture_output=True,
                   timeout=300)


def _close_open_objects(s: settings.LabSettings, tag: str) -> str:
    """11 s after a burst, one more line: the sink rotates the burst's last object on it."""
    time.sleep(11)
    requests.get(f"{s.apache_url}/marker-{tag}", timeout=10)
    return f"/marker-{tag}"


def access_lines(s: settings.LabSettings) -> list[str]:
    path = cloudwatch_lab.native_paths(s)["access_log"]
    return [line for line in path.read_text().splitlines() if line]


def cloudwatch_messages(s: settings.LabSettings) -> list[str]:
    return ca.cloudwatch_messages(s.localstack_url)


def kafka_values(s: settings.LabSettings) -> list[str]:
    return kafka_records.topic_values(s.kafka_bootstrap, f"{cloudwatch_lab.LOG_GROUP}.{cloudwatch_lab.instance_id()}")


def sink_lines(s: settings.LabSettings) -> tuple[list[str], list[str]]:
    return ca.sink_lines(s.localstack_url)


def _note(text: str) -> None:
    NOTES.parent.mkdir(parents=True, exist_ok=True)
    with NOTES.open("a") as notes:
        notes.write(f"{time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())} {text}\n")


def _in_sink(s: settings.LabSettings, lines: list[str]):
    def check():
        missing, _ = missing_and_extra(lines, sink_lines(s)[0])
        return not missing or None
    return check


def test_every_line_is_in_cloudwatch_kafka_and_s3_exactly_once(lab):
    s = lab
    _generate(s, 1500, 300)
    marker = _close_open_objects(s, "clean")
    burst = [line for line in access_lines(s) if marker not in line]
    assert len(burst) == 1500
    wait_for(_in_sink(s, burst), 90, 1, "every line of the burst in the sink's objects")

    for stage, seen in (("CloudWatch Logs", cloudwatch_messages(s)), ("Kafka", kafka_values(s)),
                        ("S3 sink", sink_lines(s)[0])):
        missing, extra = missing_and_extra(burst, [line for line in seen if marker not in line])
        assert not missing, f"{stage}: {sum(missing.values())} lines lost, e.g. {next(iter(missing))}"
        assert not extra, f"{stage}: {sum(extra.values())} lines duplicated in a run without faults"
    names = sink_lines(s)[1]
    topic = f"{cloudwatch_lab.LOG_GROUP}.{cloudwatch_lab.instance_id()}"
    year = time.gmtime().tm_year
    # flush.size 1000: the first object starts at offset 0, the next at 1000 (Confluent's naming)
    assert f"topics/{topic}/year={year}/{topic}+0+0000000000.json" in names
    assert f"topics/{topic}/year={year}/{topic}+0+0000001000.json" in names


def test_kafka_and_the_sink_killed_mid_burst_lose_nothing(lab):
    s = lab
    before = len(access_lines(s))
    rpc = native.supervisor_rpc(s)

    def kill(program: str, after: float) -> None:
        time.sleep(after)
        os.kill(rpc.supervisor.getProcessInfo(program)["pid"], signal.SIGKILL)

    killers = [threading.Thread(target=kill, args=("kafka", 2.0)), threading.Thread(target=kill, args=("s3-sink", 5.0))]
    for killer in killers:
        killer.start()
    _generate(s, 2500, 250)
    for killer in killers:
        killer.join()
    wait_for(lambda: all(native.program_states(s).get(p) == "RUNNING" for p in cloudwatch_lab.PROGRAMS),
             60, 1, "supervisord restarted Kafka and the sink")
    marker = _close_open_objects(s, "faults")
    burst = [line for line in access_lines(s)[before:] if marker not in line]
    assert len(burst) == 2500
    wait_for(_in_sink(s, burst), 180, 2, "every line of the burst in the sink's objects after the kills")

    report, written = [], set(burst)
    for stage, seen in (("CloudWatch Logs", cloudwatch_messages(s)), ("Kafka", kafka_values(s)),
                        ("S3 sink", sink_lines(s)[0])):
        missing, extra = missing_and_extra(burst, [line for line in seen if line in written])
        assert not missing, f"{stage}: {sum(missing.values())} lines lost after the kills"
        report.append(f"{stage} duplicates {sum(extra.values())}")
    _note("kill -9 of Kafka at 2 s and of the S3 sink at 5 s into 2,500 lines: " + ", ".join(report))
