"""One lab for the differential suite: tests/conftest.py's `trino_lab` (a native LocalStack
whose Athena knows a Trino, a Trino 476 coordinator reading that LocalStack's Glue and S3, both
shared with the Athena client suites while they run), two work groups (tag
`lab:engine` = duckdb / trino) and one data set: the crawled Firehose backup of the example
queries, and the tables of tests/athena."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

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


@pytest.fixture(scope="module")
def differential_lab(trino_lab):
    """The shared LocalStack + Trino lab (tests/support/trino_lab.py), also used by the
    Athena client suites' Trino work group."""
    return trino_lab


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

