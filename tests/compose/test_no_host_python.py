"""`make up`, `make generate`, `make status`, `make down` on a host with a Docker
engine and no Python: the Makefile finds no Python 3.11-3.13 on the PATH and runs
the lab's tools in the lab's image (services/lab/container-lab.sh).

The PATH given to make holds every program of this machine except Python's
(python*, pip*, pydoc*), checked before the run. One exception this machine
kind forces: its only Compose is Debian's docker-compose v1, itself a Python
program started through its own `#!/usr/bin/python3` line; a facilitator's
Docker Desktop has Compose v2 (Go). The lab's own code runs only in containers.
"""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from labctl import compose

from tests.compose import compose_checks as cc
from tests.compose import engine_support as es
from tests.conftest import free_port

# The first test's setup waits for its turn on the engine (up to es.ENGINE_TURN_WAIT_S),
# builds every image (cold: debootstrap and pip inside, up to es.UP_TIMEOUT_S) and starts
# the lab (up to es.UP_TIMEOUT_S): the suite-wide 600 s pytest-timeout would end that
# before its own stated limits do.
pytestmark = [pytest.mark.docker, pytest.mark.slow,
              pytest.mark.timeout(es.ENGINE_TURN_WAIT_S + 2 * es.UP_TIMEOUT_S + 300)]

PROJECT = "clickstream-lab-nopy"
VISITS = 50


def python_free_path(bin_dir: Path) -> str:
    """A directory of links to every program on the PATH but Python's."""
    bin_dir.mkdir()
    for directory in os.environ["PATH"].split(os.pathsep):
        if not os.path.isdir(directory):
            continue
        for name in os.listdir(directory):
            target = Path(directory, name)
            if name.startswith(("python", "pip", "pydoc")) or (bin_dir / name).exists():
                continue
            if target.is_file() and os.access(target, os.X_OK):
                (bin_dir / name).symlink_to(target)
    return str(bin_dir)


def _make(env, *args, timeout=900) -> subprocess.CompletedProcess:
    run = subprocess.run(["make", "--no-print-directory", *args], cwd=cc.REPO, env=env,
                         capture_output=True, text=True, timeout=timeout, check=False)
    print(f"$ make {' '.join(args)}  (exit {run.returncode})\n{run.stdout[-3000:]}{run.stderr[-3000:]}")
    return run


def test_make_up_generate_status_down_without_python(tmp_path):
    ports = {name: free_port() for name in ("apache", "localstack", "opensearch", "dashboards", "kafka")}
    env = es.compose_environment(PROJECT, ports, tmp_path / "state")
    env.pop("LAB_RUNTIME")
    env["PATH"] = python_free_path(tmp_path / "bin")
    probe = subprocess.run(["bash", "-c", "command -v python3 python python3.11 python3.13"],
                           env=env, capture_output=True, text=True, check=False)
    assert probe.returncode != 0 and probe.stdout == "", probe.stdout
    print(es.note("no-host-Python run: " + es.describe(env)))
    es.build_images(env)  # `make up` builds only missing images: this checkout's code goes in
    try:
        up = _make(env, "up", timeout=es.UP_TIMEOUT_S)
        assert up.returncode == 0, es.service_logs(env)
        assert "the lab's tools run in its image" in up.stdout
        assert ".venv/bin/python" not in up.stdout + up.stderr
        assert _make(env, "generate", f"COUNT={VISITS}", timeout=600).returncode == 0

        status = _make(env, "status", "FORMAT=json", timeout=300)
        assert status.returncode == 0
        report = json.loads(status.stdout)
        assert report["runtime"] == "compose"
        assert report["log_lines"] == VISITS
        assert report["services"]["apache"] == "up" and report["services"]["localstack"] == "up"
        assert report["services"]["opensearch"] == "up"
    finally:
        down = _make(env, "down", timeout=300)
        es.remove_volumes(env)
    assert down.returncode == 0
    with es.project_env(env):
        assert compose.containers(include_stopped=True) == []
