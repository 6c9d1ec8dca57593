"""One lab for the differential suite: a native LocalStack whose Athena knows a Trino
(LAB_TRINO_URL), a Trino 476 coordinator reading that LocalStack's Glue and S3, both started
once per session, two work groups (tag `lab:engine` = duckdb / trino) and one data set:
the crawled Firehose backup of the example queries, and the tables of tests/athena."""
from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import LOCALSTACK_VENV, LocalStackInstance, free_port

# Each test's outcome, one JSON line per statement: written by whichever (xdist) worker ran
# it, read by the process that prints the summary.
OUTCOMES_FILE = Path(__file__).resolve().parents[2] / "build" / "athena-differential.jsonl"


def record_outcome(name: str, outcome: str) -> None:
    OUTCOMES_FILE.parent.mkdir(parents=True, exist_ok=True)
    with OUTCOMES_FILE.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps({"name": name, "outcome": outcome}) + "\n")


def pytest_sessionstart(session):
    if not hasattr(session.config, "workerinput"):      # the controller (or the only process)
        OUTCOMES_FILE.unlink(missing_ok=True)


@dataclass
class Lab:
    localstack: LocalStackInstance
    trino_url: str
    bucket: str
    database: str
    output: str
    trino_ready_s: float
    trino_rss_mb: float
    notes: dict = field(default_factory=dict)

    def client(self, service: str):
        return self.localstack.client(service)


@pytest.fixture(scope="session")
def differential_lab(tmp_path_factory):
    from labctl import trino_server

    if not (LOCALSTACK_VENV / "bin" / "python").exists():
        pytest.fail(f"no LocalStack venv at {LOCALSTACK_VENV}: run `make localstack-venv`")
    if not (trino_server.install_dir() / ".installed").is_file():
        pytest.fail(f"Trino {trino_server.VERSION} is not installed: run `make trino`")
    base = tmp_path_factory.mktemp("differential")
    trino_port = free_port()
    trino_url = f"http://127.0.0.1:{trino_port}"
    localstack = LocalStackInstance(base / "volume", base / "localstack.log",
                                    extra_env={"LAB_TRINO_URL": trino_url})
    localstack.start()
    cfg = trino_server.TrinoConfig(base_dir=base / "trino", port=trino_port, aws_endpoint=localstack.url)
    proc = None
    try:
        proc = trino_server.start(cfg, base / "trino.log")
        try:
            ready = trino_server.wait_ready(trino_url, proc, timeout=300)
        except trino_server.TrinoError:
            print((base / "trino.log").read_text(errors="replace")[-5000:])
            raise
        import psutil

        rss = psutil.Process(proc.pid).memory_info().rss / 2**20
        suffix = uuid.uuid4().hex[:8]
        bucket, database = f"diff-{suffix}", f"diff_{suffix}"
        lab = Lab(localstack, trino_url, bucket, database, f"s3://{bucket}/athena-results/", ready, rss)
        athena = localstack.client("athena")
        localstack.client("s3").create_bucket(Bucket=bucket)
        localstack.client("glue").create_database(DatabaseInput={"Name": database})
        for engine in ("duckdb", "trino"):
            athena.create_work_group(Name=f"on_{engine}", Tags=[{"Key": "lab:engine", "Value": engine}],
                                     Configuration={"ResultConfiguration": {"OutputLocation": lab.output}})
        yield lab
    finally:
        if proc is not None:
            trino_server.stop(proc)
        localstack.stop()


def pytest_terminal_summary(terminalreporter):
    if not OUTCOMES_FILE.is_file():
        return
    outcomes = [(r["name"], r["outcome"]) for r in map(json.loads, OUTCOMES_FILE.read_text().splitlines())]
    equal = sum(1 for _, outcome in outcomes if outcome == "equal")
    terminalreporter.write_sep("-", "Athena differential suite: DuckDB engine vs Trino 476")
    terminalreporter.write_line(f"{equal} of {len(outcomes)} statements give the same answer on both engines "
                                f"({100 * equal / len(outcomes):.0f} %); the others (differences.py, or new):")
    for name, outcome in outcomes:
        if outcome != "equal":
            terminalreporter.write_line(f"  {name}: {outcome}")

