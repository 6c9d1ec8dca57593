"""`make doctor` says what to fix: a port taken, no engine answering. It is
shell only (it must run where there is neither Python nor an engine)."""
from __future__ import annotations

import socket
import subprocess

import pytest

from tests.compose import compose_checks as cc
from tests.conftest import free_port

pytestmark = pytest.mark.unit


def _doctor(**env_overrides: str) -> subprocess.CompletedProcess:
    env = cc.clean_environment(env_overrides)
    return subprocess.run(["make", "--no-print-directory", "doctor"], cwd=cc.REPO, env=env,
                          capture_output=True, text=True, timeout=120, check=False)


def _free_ports() -> dict[str, str]:
    return {var: str(free_port()) for var in
            ("LAB_APACHE_PORT", "LAB_LOCALSTACK_PORT", "LAB_OPENSEARCH_PORT", "LAB_DASHBOARDS_PORT")}


def test_doctor_names_a_taken_port_and_how_to_fix_it():
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        taken = holder.getsockname()[1]
        ports = _free_ports() | {"LAB_LOCALSTACK_PORT": str(taken)}
        run = _doctor(**ports)
    assert run.returncode != 0
    assert f"FAIL  port {taken} (LocalStack, LAB_LOCALSTACK_PORT) on 127.0.0.1 is in use" in run.stdout
    assert f"LAB_LOCALSTACK_PORT={taken + 10000} make up" in run.stdout
    assert f"ok    port {ports['LAB_APACHE_PORT']} (shop, LAB_APACHE_PORT) on 127.0.0.1 is free" in run.stdout


def test_doctor_without_an_engine_says_how_to_get_one():
    run = _doctor(DOCKER_HOST="unix:///nonexistent/docker.sock", **_free_ports())
    assert run.returncode != 0
    assert "FAIL  no Docker engine answers at unix:///nonexistent/docker.sock" in run.stdout
    assert "start Docker Desktop" in run.stdout
    assert "memory" in run.stdout  # the other checks still run and report
    assert "fix the FAIL lines above" in run.stdout
