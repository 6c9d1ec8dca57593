"""End to end through the compose lab on a container engine, through the Makefile.

`make test` starts an engine first (services/lab/container-engine.sh: a Docker
engine if one answers, else podman serving the Docker API), so this suite runs in
CI. It builds the lab's images from the repository, brings the stack up with
`make up` (labctl's compose path: `docker compose up --wait`, or docker-compose
v1 plus labctl's own wait on the services' health), sends 1,000 visits through
the shop container with `make generate`, and accounts for every line Apache wrote
in the index and in the S3 backup (tests/support/line_accounting.py). It also
checks `make status`, `make logs`, that `depends_on` was honoured, that every
published port is on 127.0.0.1 only, and `make down`.

It runs under its own Compose project name and free ports, so it does not touch a
lab you are running. On podman (no image registry reachable) it builds from the
lab's debootstrapped Debian base and replaces OpenSearch by the OpenSearch-API
server and Dashboards by a placeholder (tests/compose/standins.override.yml); it
says so in its output.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time

import pytest
import requests
from labctl import compose, engine
from labctl import settings as lab

from tests.compose import compose_checks as cc
from tests.compose import engine_support as es
from tests.conftest import free_port
from tests.support import line_accounting as acc

# The first test's setup waits for its turn on the engine (up to es.ENGINE_TURN_WAIT_S),
# builds every image (cold: debootstrap and pip inside, up to es.UP_TIMEOUT_S) and starts
# the lab (up to es.UP_TIMEOUT_S): the suite-wide 600 s pytest-timeout would end that
# before its own stated limits do.
pytestmark = [pytest.mark.docker, pytest.mark.slow,
              pytest.mark.timeout(es.ENGINE_TURN_WAIT_S + 2 * es.UP_TIMEOUT_S + 300)]

VISITS = 1000
PROJECT = "clickstream-lab-e2e"
SERVICES = ("apache", "localstack", "opensearch", "dashboards", "setup", "agent")


def _make(env: dict[str, str], *args: str, timeout: float = 900) -> subprocess.CompletedProcess:
    run = subprocess.run(["make", "--no-print-directory", *args], cwd=cc.REPO, env=env,
                         capture_output=True, text=True, timeout=timeout, check=False)
    print(f"$ make {' '.join(args)}  (exit {run.returncode})\n{run.stdout[-3000:]}{run.stderr[-3000:]}")
    return run


@pytest.fixture(scope="module")
def compose_lab(tmp_path_factory):
    ports = {name: free_port() for name in ("apache", "localstack", "opensearch", "dashboards")}
    env = es.compose_environment(PROJECT, ports, tmp_path_factory.mktemp("lab-state"))
    print(es.note(es.describe(env)))
    seconds = es.build_images(env)
    print(es.note(f"compose e2e: images built (or found in the engine's cache) in {seconds:.0f}s"))
    settings = lab.load(env)
    try:
        run = _make(env, "up", timeout=es.UP_TIMEOUT_S)
        assert run.returncode == 0, "make up failed:\n" + es.service_logs(env)
        yield {"env": env, "settings": settings, "up": run}
    finally:
        es.save_logs(env)
        _make(env, "down", timeout=300)
        es.remove_volumes(env)


def _containers(env) -> dict[str, dict]:
    with es.project_env(env):
        return {compose.service_of(attrs): attrs for attrs in compose.containers(include_stopped=True)}


def test_up_used_the_compose_runtime_and_every_service_is_ready(compose_lab):
    assert "using the compose runtime" in compose_lab["up"].stdout
    attrs = _containers(compose_lab["env"])
    assert set(SERVICES) <= set(attrs)
    states = {name: compose.container_health(a) for name, a in attrs.items()}
    assert states["setup"] == "exited 0", states
    for name in ("apache", "localstack", "opensearch", "dashboards", "agent"):
        assert states[name] == "healthy", states


def test_depends_on_was_honoured(compose_lab):
    """setup started once LocalStack was ready (its "Ready." line, the engine's
    timestamp), the agent once setup had completed: the order Compose must keep."""
    attrs = _containers(compose_lab["env"])
    setup_started = es.timestamp(attrs["setup"]["State"]["StartedAt"])
    localstack_ready = es.log_line_time(attrs["localstack"], "Ready.")
    assert localstack_ready is not None and localstack_ready <= setup_started
    assert es.timestamp(attrs["setup"]["State"]["FinishedAt"]) <= es.timestamp(attrs["agent"]["State"]["StartedAt"])


def test_published_ports_are_on_loopback_only(compose_lab):
    attrs = _containers(compose_lab["env"])
    published = [(name, binding) for name, a in attrs.items()
                 for bindings in (a["NetworkSettings"].get("Ports") or {}).values() if bindings
                 for binding in bindings]
    assert {name for name, _ in published} == {"apache", "localstack", "opensearch", "dashboards"}
    assert all(b["HostIp"] == "127.0.0.1" for _, b in published), published
    s = compose_lab["settings"]
    assert requests.get(s.localstack_url + "/_localstack/health", timeout=10).ok
    other = es.non_loopback_address()
    if other is None:
        pytest.skip("this machine has no non-loopback IPv4 address to try")
    for _, binding in published:
        with socket.socket() as sock:
            sock.settimeout(2)
            assert sock.connect_ex((other, int(binding["HostPort"]))) != 0, (other, binding)


def test_1000_visits_are_all_accounted_for_in_the_index_and_the_backup(compose_lab):
    env, s = compose_lab["env"], compose_lab["settings"]
    run = _make(env, "generate", f"COUNT={VISITS}", timeout=600)
    assert run.returncode == 0
    with es.project_env(env):
        log = compose.exec_output("apache", "sh", "-c", "cat /var/log/httpd/access_log*")
    lines = acc.split_lines(log.encode())
    assert len(lines) == VISITS, "the shop logs one line per visit (its health check is TCP only)"
    started = time.monotonic()
    result = acc.wait_until_accounted(acc.LabObserver(s), acc.expected_outcomes(lines), timeout=300)
    print(f"accounted in {time.monotonic() - started:.0f}s: {result.row()}")
    assert result.conserved, result.row()
    assert result.indexed == VISITS and result.backup_missing == 0 and result.unmatched == 0, result.row()

    status = _make(env, "status", "FORMAT=json", timeout=120)
    assert status.returncode == 0
    report = json.loads(status.stdout)
    assert report["runtime"] == "compose"
    assert report["log_lines"] == VISITS
    assert report["index_documents"] == VISITS
    assert json.loads(status.stdout)["agent"].get("state") not in (None, "stopped")
    assert _make(env, "status", timeout=120).returncode == 0


def test_the_image_builds_the_same_lambda_zip_as_make_lambda(compose_lab):
    """The tools image runs `make lambda`'s program (Python 3.13 there, the host's here):
    reproducible, so the zip a host without Python deploys is the native one, byte for byte."""
    import hashlib

    host_zip = cc.REPO / "build" / "apache_ETL.zip"   # `make up` ran `make lambda`
    image = es.read_env_image("clickstream-lab/python", compose_lab["env"])
    result = engine.run(image, ["sha256sum", "build/apache_ETL.zip"], timeout=120)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.decode().split()[0] == hashlib.sha256(host_zip.read_bytes()).hexdigest()


def test_make_logs_follows_the_services(compose_lab):
    env = compose_lab["env"]
    with subprocess.Popen(["make", "--no-print-directory", "logs"], cwd=cc.REPO, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          start_new_session=True) as proc:
        time.sleep(8)
        os.killpg(proc.pid, signal.SIGTERM)  # make, labctl and compose: `logs -f` runs until stopped
        out, _ = proc.communicate(timeout=30)
    assert "setup: done" in out, out[-2000:]


def test_make_down_stops_the_project(compose_lab):
    env = compose_lab["env"]
    assert _make(env, "down", timeout=300).returncode == 0
    assert _containers(env) == {}
