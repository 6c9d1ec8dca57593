"""Every access-log line through the CloudWatch lab, accounted for at each stage: CloudWatch Logs
events, Kafka records, S3 sink objects, and rows of the notebooks' Spark tables (`make notebooks`
on the same lab, last: its gold tables count every sink record once).

The lab as a user runs it: `make up` (native), `make cloudwatch-lab` (labctl.labs.cloudwatch.native_side.start:
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

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
from labctl import native, settings
from labctl.labs.cloudwatch import lab as cloudwatch_lab
from labctl.labs.cloudwatch import native_side as cloudwatch_native

from tests.cloudwatch_lab.conftest import running_native_lab
from tests.support import cloudwatch_accounting as ca
from tests.support import kafka_records
from tests.support.cloudwatch_accounting import missing_and_extra
from tests.support.waiting import scaled, wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.apache, pytest.mark.localstack, pytest.mark.opensearch,
              pytest.mark.slow, pytest.mark.timeout(900)]

REPO = Path(__file__).resolve().parents[2]
NOTES = REPO / "build" / "cloudwatch-lab" / "accounting-notes.txt"


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A native lab with the CloudWatch lab started on it (all four programs)."""
    with running_native_lab(tmp_path_factory, "cloudwatch-accounting") as (s, env):
        cloudwatch_native.start(s)
        yield s, env


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
    s, _ = lab
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
    s, _ = lab
    before = len(access_lines(s))
    rpc = native.supervisor_rpc(s)
    killed: dict[str, int] = {}

    def kill(program: str, after: float) -> None:
        time.sleep(after)
        killed[program] = native.supervisor_rpc(s).supervisor.getProcessInfo(program)["pid"]
        os.kill(killed[program], signal.SIGKILL)

    killers = [threading.Thread(target=kill, args=("kafka", 2.0)), threading.Thread(target=kill, args=("s3-sink", 5.0))]
    for killer in killers:
        killer.start()
    _generate(s, 2500, 250)
    for killer in killers:
        killer.join()
    wait_for(lambda: all(native.program_states(s).get(p) == "RUNNING" for p in cloudwatch_lab.PROGRAMS),
             60, 1, "supervisord restarted Kafka and the sink")
    assert set(killed) == {"kafka", "s3-sink"}
    for program, pid in killed.items():  # each was killed and runs again as a new process
        assert rpc.supervisor.getProcessInfo(program)["pid"] not in (0, pid), program
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


def test_the_notebooks_spark_tables_hold_every_sink_record(lab, tmp_path):
    """`make notebooks` (services/notebooks/run_on_lab.py) over the sink's bucket: the per-hour and
    per-browser gold tables each count every record of the sink's objects once, and the notebooks'
    own assert cells pass (the run fails otherwise)."""
    s, env = lab
    lines = sink_lines(s)[0]
    out = tmp_path / "report"
    run = subprocess.run([sys.executable, "services/notebooks/run_on_lab.py", "--out", str(out)], cwd=REPO,
                         env={**os.environ, **env}, capture_output=True, text=True, timeout=scaled(600), check=False)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    gold = {table: json.loads((out / "gold" / f"{table}.json").read_text())
            for table in ("gold_requests_per_day_hour", "gold_requests_per_browser")}
    assert sum(row["requests"] for row in gold["gold_requests_per_day_hour"]) == len(lines)
    assert sum(row["requests"] for row in gold["gold_requests_per_browser"]) == len(lines)
    assert (out / "report.html").is_file() and (out / "wordcloud.png").is_file()
