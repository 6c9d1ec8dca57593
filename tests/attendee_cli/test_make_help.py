"""`make help` leads with what a workshop day uses (up, generate, status, down), then the
sibling labs, and only then the install, test and image targets; every target with a `##`
description is listed once."""
from __future__ import annotations

import re
import subprocess

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.unit

EVERYDAY = ["up", "generate", "status", "down"]
LABS = ["athena", "lake-lab", "cloudwatch-lab", "anomaly-lab", "notebooks"]
INSTALL = ["venv", "system-packages", "localstack-venv", "flink-venv", "spark-venv", "opensearch", "kafka", "trino", "test"]


def listed_targets() -> list[str]:
    done = subprocess.run(["make", "-s", "help"], cwd=REPO, capture_output=True, text=True, timeout=60, check=True)
    return re.findall(r"^  make (\S+)", done.stdout, flags=re.MULTILINE)


def documented_targets() -> set[str]:
    text = (REPO / "Makefile").read_text()
    return set(re.findall(r"^([a-zA-Z_-]+):[^=\n]*## ", text, flags=re.MULTILINE))


def test_everyday_targets_first_then_the_labs_then_installation():
    targets = listed_targets()
    assert targets[:4] == EVERYDAY
    last_lab = max(targets.index(t) for t in LABS)
    first_install = min(targets.index(t) for t in INSTALL)
    assert max(targets.index(t) for t in EVERYDAY) < min(targets.index(t) for t in LABS)
    assert last_lab < first_install


def test_every_documented_target_listed_once():
    targets = listed_targets()
    assert len(targets) == len(set(targets))
    assert set(targets) == documented_targets()
