"""`make up` on a running lab never ignores a changed setting (issue 35, problem 3): one that
provisioning applies live (the Firehose buffer) is applied; one the services are started with
(LAB_ACCESS_LOG_FORMAT, GeoIP, ports, ...) is refused, named with its running value, with
"stop the lab first: make down", and nothing of the running lab changes."""
from __future__ import annotations

import json
import os
import subprocess

import boto3
import pytest
from labctl import native
from labctl import settings as lab

from tests.conftest import REPO, free_port

pytestmark = [pytest.mark.e2e, pytest.mark.localstack, pytest.mark.timeout(900)]

PORT_KEYS = ("LAB_APACHE_PORT", "LAB_LOCALSTACK_PORT", "LAB_OPENSEARCH_PORT", "LAB_DASHBOARDS_PORT",
             "LAB_KAFKA_PORT", "LAB_KAFKA_CONTROLLER_PORT")


def make_up(env: dict[str, str], **changes: str) -> subprocess.CompletedProcess:
    return subprocess.run(["make", "-s", "--no-print-directory", "up"], cwd=REPO, env={**env, **changes},
                          capture_output=True, text=True, timeout=600, check=False)


def buffer_interval(settings: lab.LabSettings) -> int:
    firehose = boto3.client("firehose", endpoint_url=settings.localstack_url, region_name=lab.REGION,
                            aws_access_key_id="test", aws_secret_access_key="test")
    description = firehose.describe_delivery_stream(DeliveryStreamName=lab.DELIVERY_STREAM)
    destination = description["DeliveryStreamDescription"]["Destinations"][0]
    hints = [d["BufferingHints"] for key, d in destination.items() if isinstance(d, dict) and "BufferingHints" in d]
    return hints[0]["IntervalInSeconds"]


def test_a_changed_setting_is_applied_or_refused_never_ignored(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("LAB_") or k == "LAB_LOCALSTACK_VENV"}
    env = {**env, "LAB_STATE_DIR": str(tmp_path / "state"), "LAB_RUNTIME": "native", "LAB_BUFFER_INTERVAL": "1",
           "MAKEFLAGS": "", **{key: str(free_port()) for key in PORT_KEYS}}
    settings = lab.load(env)
    try:
        first = make_up(env)
        assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
        agent_json = (settings.state_dir / "agent" / "agent.json").read_text()

        refused = make_up(env, LAB_ACCESS_LOG_FORMAT="kinesis", LAB_GEOIP_DATABASE="off")
        assert refused.returncode != 0
        said = [line for line in refused.stderr.splitlines() if line.startswith(("make up:", "  "))]
        assert said == [
            "make up: the lab is running, and these settings need its services started again:",
            "  LAB_ACCESS_LOG_FORMAT: kinesis (the lab runs with clickstream)",
            "  LAB_GEOIP_DATABASE: off (the lab runs with GeoIP on)",
            "make up: stop the lab first: make down (then make up)"], refused.stderr
        assert (settings.state_dir / "agent" / "agent.json").read_text() == agent_json, "nothing changed"
        assert json.loads(agent_json)["flows"][0].get("deliveryStream") == lab.DELIVERY_STREAM

        applied = make_up(env, LAB_BUFFER_INTERVAL="7")
        assert applied.returncode == 0, applied.stdout[-3000:] + applied.stderr[-3000:]
        assert buffer_interval(settings) == 7
    finally:
        native.down(settings)
