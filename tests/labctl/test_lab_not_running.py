"""One voice when the lab is down: every `make` target that needs a running lab says
`the lab is not running: make up` and exits non-zero (no traceback, no "connection refused",
no status of nothing with exit 0), before installing anything. No lab: an empty state folder
and free ports. And a lab recorded as started whose LocalStack is gone says the same."""
from __future__ import annotations

import os
import subprocess

import pytest
from labctl import runtimes, settings

from tests.conftest import REPO, free_port

pytestmark = pytest.mark.unit

TARGETS = ["status", "wait", "generate", "report", "athena", "lake-lab", "cloudwatch-lab", "anomaly-lab", "notebooks", "logs"]
LINE = "error: the lab is not running: make up"
PORT_KEYS = ("LAB_APACHE_PORT", "LAB_LOCALSTACK_PORT", "LAB_OPENSEARCH_PORT", "LAB_DASHBOARDS_PORT", "LAB_KAFKA_PORT")


def no_lab_env(state_dir) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LAB_", "OPENSEARCH_URL"))}
    return {**env, "LAB_STATE_DIR": str(state_dir), "LAB_RUNTIME": "native", "MAKEFLAGS": "",
            **{key: str(free_port()) for key in PORT_KEYS}}


def own_lines(output: str) -> list[str]:
    """What the lab printed, without make's own `make: *** [...] Error 1`."""
    return [line for line in output.splitlines() if line.strip() and not line.startswith("make")]


@pytest.mark.parametrize("target", TARGETS)
def test_a_target_needing_the_lab_says_so_in_one_line(target, tmp_path):
    done = subprocess.run(["make", "-s", "--no-print-directory", target], cwd=REPO, env=no_lab_env(tmp_path),
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode != 0
    assert own_lines(done.stdout + done.stderr) == [LINE], done.stdout + done.stderr


def test_a_lab_whose_localstack_is_gone_is_not_running(tmp_path):
    env = no_lab_env(tmp_path)
    runtimes.record(settings.load(env), runtimes.NativeRuntime(settings.load(env)))  # `make up` ran, nothing answers
    done = subprocess.run(["make", "-s", "--no-print-directory", "athena"], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode != 0 and own_lines(done.stderr) == [LINE]
