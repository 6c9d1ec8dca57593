"""`make status` tells the truth right after traffic: the agent's sent count it shows is the
one Firehose has received (the agent rewrites its stats within 0.2 s of a change; before,
every 30 s, and status showed `records sent 0` next to 3,000 received)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest
import requests
from labctl import native, settings

from tests.conftest import free_port

pytestmark = [pytest.mark.e2e, pytest.mark.apache, pytest.mark.localstack, pytest.mark.opensearch]

REPO = settings.REPO_ROOT
LINES = 500


def firehose_received(s: settings.LabSettings) -> int:
    streams = requests.get(f"{s.localstack_url}/_lab/firehose/streams", timeout=5).json()["streams"]
    return next(x["counters"]["received"] for x in streams if x["name"] == settings.DELIVERY_STREAM)


def make_status(env: dict[str, str]) -> dict:
    out = subprocess.run(["make", "-s", "status", "FORMAT=json"], cwd=REPO, check=True, timeout=60,
                         capture_output=True, text=True, env={**os.environ, **env}).stdout
    return json.loads(out[out.index("{"):])


def test_status_shows_current_agent_counts(tmp_path):
    env = {"LAB_STATE_DIR": str(tmp_path / "lab"), "LAB_APACHE_PORT": str(free_port()),
           "LAB_LOCALSTACK_PORT": str(free_port()), "LAB_OPENSEARCH_PORT": str(free_port()),
           "LAB_DASHBOARDS_PORT": str(free_port()), "LAB_BUFFER_INTERVAL": "1"}
    s = settings.load(env)
    native.up(s)
    (s.state_dir / "runtime").write_text("native\n")  # what `make up` records for status
    try:
        subprocess.run([sys.executable, "-m", "generator", "--url", s.apache_url, "--count", str(LINES),
                        "--seed", "11"], check=True, cwd=REPO, capture_output=True, timeout=300)
        deadline = time.monotonic() + 60
        while firehose_received(s) < LINES:
            assert time.monotonic() < deadline, "Firehose did not receive the generated lines"
            time.sleep(0.1)
        received_at = time.monotonic()
        # The bound: within 2 s of Firehose receiving the lines, `make status` shows
        # the agent's sent count equal to it (before the fix: up to a 30 s status period).
        while True:
            status = make_status(env)
            assert "totals" in status["agent"], status
            sent = status["agent"]["totals"]["records_sent"]
            if sent == LINES:
                break
            assert time.monotonic() - received_at < 2, (
                f"agent sent {sent}, Firehose received {LINES}: status shows stale agent figures")
        assert status["firehose"][settings.DELIVERY_STREAM]["received"] == LINES
    finally:
        native.down(s)
