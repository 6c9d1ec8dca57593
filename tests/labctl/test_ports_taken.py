"""`make up` with a port already taken fails fast, naming the port and the program that
holds it, and `make down` afterwards leaves no process of the lab. The ports are the
defaults a user hits (8080 for the shop, 4566 for LocalStack, 5601 for Dashboards)."""
from __future__ import annotations

import os
import socket
import subprocess
import time

import psutil
import pytest
from labctl import settings

from tests.conftest import free_port
from tests.labctl.test_native_up_down import lab_processes
from tests.support.waiting import scaled, wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.apache, pytest.mark.localstack, pytest.mark.opensearch]

REPO = settings.REPO_ROOT


def hold(port: int) -> socket.socket | None:
    """Listen on 127.0.0.1:port; None when something else already holds it (still taken)."""
    sock = socket.socket()
    try:
        sock.bind(("127.0.0.1", port))
    except OSError:
        sock.close()
        return None
    sock.listen()
    return sock


@pytest.mark.parametrize("port, variable", [(8080, "LAB_APACHE_PORT"), (4566, "LAB_LOCALSTACK_PORT"),
                                            (5601, "LAB_DASHBOARDS_PORT")])
def test_up_names_the_taken_port_and_down_leaves_nothing(tmp_path, port, variable):
    ports = {"LAB_APACHE_PORT": free_port(), "LAB_LOCALSTACK_PORT": free_port(),
             "LAB_OPENSEARCH_PORT": free_port(), "LAB_DASHBOARDS_PORT": free_port(), variable: port}
    env = {**os.environ, "LAB_STATE_DIR": str(tmp_path / "lab"), "LAB_RUNTIME": "native",
           **{k: str(v) for k, v in ports.items()}}
    holder = hold(port)
    try:
        started = time.monotonic()
        result = subprocess.run(["make", "-s", "up"], check=False, cwd=REPO, env=env, capture_output=True,
                                text=True, timeout=300)
        elapsed = time.monotonic() - started
        assert result.returncode != 0, result.stdout
        assert f"port {port}" in result.stderr, result.stderr
        if holder is not None:
            assert f"pid {os.getpid()}" in result.stderr, f"names this test as the holder: {result.stderr}"
        # fast: before anything starts (15 s idle, stretched by the load as every deadline here)
        assert elapsed < scaled(15), f"make up took {elapsed:.0f}s to fail"
    finally:
        if holder is not None:
            holder.close()
        subprocess.run(["make", "-s", "down"], check=False, cwd=REPO, env=env, capture_output=True,
                       timeout=120)
    state_dir = tmp_path / "lab"
    wait_for(lambda: not lab_processes(state_dir), 30, what="no process of the lab left")
    assert not any(c.laddr.port in ports.values() and c.status == psutil.CONN_LISTEN
                   for c in psutil.net_connections(kind="tcp") if c.pid != os.getpid())
