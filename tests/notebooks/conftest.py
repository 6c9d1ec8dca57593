"""One run of the lab's notebooks for the session: sink-shaped objects built from the repository's
real Apache log (tests/data) in a LocalStack bucket, the runner in the Spark venv over them."""
from __future__ import annotations

import ipaddress
import json
import os
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.data_files import ELASTIC_LOG, GEOIP_TEST_DB, GEOIP_TEST_SOURCE
from tests.support.sink_objects import put_sink_objects

REPO = Path(__file__).resolve().parents[2]
SPARK_PYTHON = REPO / ".venv-spark" / "bin" / "python"
NOTEBOOKS = REPO / "services" / "notebooks" / "cloudwatch_lab"
MOUNT_POINT = "/mnt/cloudwatch-kafka-lab"
RELOCATED_CLIENTS = 60  # how many of the log's client addresses move into the test database's networks


@dataclass
class NotebookRun:
    lines: list[str]
    out: Path
    result: subprocess.CompletedProcess

    def gold(self, table: str) -> list[dict]:
        return json.loads((self.out / "gold" / f"{table}.json").read_text())


def runner_command(notebooks: Path, out: Path, endpoint: str, mounts: dict[str, str],
                   geoip: Path = GEOIP_TEST_DB) -> list[str]:
    cmd = [str(SPARK_PYTHON), "-m", "notebook_runner", "run", "--notebooks", str(notebooks), "--s3-endpoint",
           endpoint, "--geoip-database", str(geoip), "--out", str(out), "--driver-memory", "1g"]
    for point, source in mounts.items():
        cmd += ["--mount", f"{point}={source}"]
    return cmd


def run_runner(cmd: list[str], timeout: float = 600) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYSPARK_", "SPARK_"))}
    env["PYTHONPATH"] = str(REPO / "services" / "notebooks")
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env, check=False)


def sink_lines() -> list[str]:
    """The real log's lines; the first RELOCATED_CLIENTS client addresses (by first appearance) are
    replaced by addresses of the networks in MaxMind's test database, which knows none of the real
    ones, so that the country table has countries to compare. Everything else is as logged."""
    lines = ELASTIC_LOG.read_text(encoding="utf-8").splitlines()
    networks = [ipaddress.ip_network(net) for entry in json.loads(GEOIP_TEST_SOURCE.read_text())
                for net, record in entry.items() if (record.get("country") or {}).get("iso_code")]
    targets = [str(net[0]) for net in networks if net.version == 4]
    clients = list(dict.fromkeys(line.split(" ", 1)[0] for line in lines))[:RELOCATED_CLIENTS]
    moved = {ip: targets[i % len(targets)] for i, ip in enumerate(clients)}
    return [moved.get(line.split(" ", 1)[0], line.split(" ", 1)[0]) + " " + line.split(" ", 1)[1] for line in lines]


@pytest.fixture(scope="session")
def spark_python() -> Path:
    if not SPARK_PYTHON.exists():
        pytest.fail(f"no Spark venv at {SPARK_PYTHON}: run `make spark-venv`")
    return SPARK_PYTHON


@pytest.fixture(scope="session")
def notebook_run(localstack, spark_python, tmp_path_factory) -> NotebookRun:
    lines = sink_lines()
    bucket = f"cloudwatch-kafka-lab-{uuid.uuid4().hex[:8]}"
    put_sink_objects(localstack.client("s3"), bucket, lines)
    out = tmp_path_factory.mktemp("notebooks") / "report"
    result = run_runner(runner_command(NOTEBOOKS, out, localstack.url, {MOUNT_POINT: f"s3://{bucket}/"}), timeout=1400)
    sys.stderr.write(result.stderr[-3000:])
    return NotebookRun(lines, out, result)
