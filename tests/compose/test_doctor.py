"""`make doctor` knows both runtimes and says what to fix: a port taken (and by whom), no engine
answering (compose unavailable, native OK on these machines), no LocalStack venv (native
unavailable). It is shell only (it must run where there is neither Python nor an engine)."""
from __future__ import annotations

import os
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
    assert f"FAIL  port {taken} (LocalStack, LAB_LOCALSTACK_PORT) on 127.0.0.1 is in use by " in run.stdout
    assert f"(pid {os.getpid()}): stop the program holding it" in run.stdout   # the holder: this test
    assert f"LAB_LOCALSTACK_PORT={taken + 10000} make up" in run.stdout
    assert f"ok    port {ports['LAB_APACHE_PORT']} (shop, LAB_APACHE_PORT) on 127.0.0.1 is free" in run.stdout


def test_doctor_without_an_engine_says_how_to_get_one_and_that_native_runs():
    # these machines: no engine, but the native runtime's parts are installed (`make test` needs them)
    run = _doctor(DOCKER_HOST="unix:///nonexistent/docker.sock", **_free_ports())
    assert "FAIL  no Docker engine answers at unix:///nonexistent/docker.sock" in run.stdout
    assert "start Docker Desktop" in run.stdout
    assert "memory" in run.stdout  # the other checks still run and report
    assert "ok    Apache httpd: " in run.stdout and "ok    LocalStack venv " in run.stdout
    assert "make doctor: native runtime OK, compose runtime unavailable" in run.stdout
    assert run.returncode == 0, run.stdout


def test_doctor_with_neither_runtime_says_what_to_fix(tmp_path):
    run = _doctor(DOCKER_HOST="unix:///nonexistent/docker.sock", LAB_LOCALSTACK_VENV=str(tmp_path / "none"),
                  **_free_ports())
    assert f"FAIL  no LocalStack venv at {tmp_path / 'none'}: `make localstack-venv`" in run.stdout
    assert "make doctor: native runtime unavailable, compose runtime unavailable" in run.stdout
    assert run.returncode != 0 and "fix the FAIL lines above" in run.stdout
