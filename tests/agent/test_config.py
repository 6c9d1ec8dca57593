"""agent.json handling, through the real CLI: the workshop's file is accepted,
unknown keys warn, invalid values exit 2 naming the key, and no endpoint means
no start without --allow-aws."""
from __future__ import annotations

import pytest

from tests.agent.conftest import run_agent_cli

pytestmark = pytest.mark.unit

WORKSHOP = {"cloudwatch.emitMetrics": True, "firehose.endpoint": "http://127.0.0.1:4566",
            "flows": [{"filePattern": "/var/log/httpd/access_log*",
                       "deliveryStream": "webserver_stream", "partitionKeyOption": "RANDOM",
                       "initialPosition": "START_OF_FILE"}]}


def workshop(**flow_changes) -> dict:
    cfg = {**WORKSHOP, "flows": [{**WORKSHOP["flows"][0], **flow_changes}]}
    return cfg


def test_workshop_config_is_accepted(tmp_path):
    result = run_agent_cli(WORKSHOP, tmp_path, "--check")
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr and "ERROR" not in result.stderr, result.stderr


def test_endpoint_without_scheme_is_accepted(tmp_path):
    result = run_agent_cli({**WORKSHOP, "firehose.endpoint": "127.0.0.1:4566"}, tmp_path, "--check")
    assert result.returncode == 0, result.stderr


def test_unknown_key_is_a_warning_naming_it(tmp_path):
    cfg = workshop(maxBufferAgeMilis=1000)      # the typo a user would make
    cfg["someGlobalTypo"] = 1
    result = run_agent_cli(cfg, tmp_path, "--check")
    assert result.returncode == 0, result.stderr
    warnings = [l for l in result.stderr.splitlines() if "WARNING" in l]
    assert any("flows[0].maxBufferAgeMilis" in l for l in warnings), result.stderr
    assert any("someGlobalTypo" in l for l in warnings), result.stderr


def test_known_unsupported_key_is_not_a_warning(tmp_path):
    result = run_agent_cli({**WORKSHOP, "maxSendingThreads": 8}, tmp_path, "--check")
    assert result.returncode == 0
    assert "WARNING" not in result.stderr, result.stderr


@pytest.mark.parametrize("changes, key", [
    ({"initialPosition": "BEGINNING"}, "initialPosition"),
    ({"partitionKeyOption": "HASH"}, "partitionKeyOption"),
    ({"maxBufferSizeRecords": 501}, "maxBufferSizeRecords"),
    ({"maxBufferSizeBytes": 4 * 1024 * 1024 + 1}, "maxBufferSizeBytes"),
    ({"maxBufferAgeMillis": "soon"}, "maxBufferAgeMillis"),
    ({"maxBufferAgeMillis": 10}, "maxBufferAgeMillis"),
    ({"skipHeaderLines": -1}, "skipHeaderLines"),
    ({"multiLineStartPattern": "(unclosed"}, "multiLineStartPattern"),
    ({"filePattern": "relative/access_log*"}, "filePattern"),
    ({"kinesisStream": "both-given"}, "kinesisStream"),
    ({"dataProcessingOptions": [{"optionName": "LOGTOJSON", "logFormat": "NGINX"}]}, "logFormat"),
    ({"dataProcessingOptions": [{"optionName": "UPPERCASE"}]}, "optionName"),
])
def test_invalid_value_exits_2_naming_the_key(tmp_path, changes, key):
    result = run_agent_cli(workshop(**changes), tmp_path, "--check")
    assert result.returncode == 2, result.stderr
    assert key in result.stderr, result.stderr


def test_invalid_global_value_exits_2(tmp_path):
    result = run_agent_cli({**WORKSHOP, "log.level": "LOUD"}, tmp_path, "--check")
    assert result.returncode == 2 and "log.level" in result.stderr, result.stderr


def test_invalid_json_exits_2(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"flows": [')
    import subprocess
    import sys

    from tests.agent.conftest import REPO
    result = subprocess.run([sys.executable, "-m", "agent", "--config", str(path), "--check"],
                            cwd=REPO, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 2 and "--config" in result.stderr, result.stderr


def test_no_endpoint_refuses_without_allow_aws(tmp_path):
    cfg = {k: v for k, v in WORKSHOP.items() if k != "firehose.endpoint"}
    refused = run_agent_cli(cfg, tmp_path)     # not --check: a real start must be refused
    assert refused.returncode == 2, refused.stderr
    assert "firehose.endpoint" in refused.stderr and "--allow-aws" in refused.stderr
    allowed = run_agent_cli(cfg, tmp_path, "--allow-aws", "--check")
    assert allowed.returncode == 0, allowed.stderr


def test_real_aws_endpoint_refuses_without_allow_aws(tmp_path):
    cfg = {**WORKSHOP, "firehose.endpoint": "firehose.us-east-1.amazonaws.com"}
    result = run_agent_cli(cfg, tmp_path, "--check")
    assert result.returncode == 2 and "--allow-aws" in result.stderr, result.stderr


def test_kinesis_flow_needs_kinesis_endpoint(tmp_path):
    cfg = {**WORKSHOP, "flows": [{"filePattern": "/tmp/x*", "kinesisStream": "s"}]}
    result = run_agent_cli(cfg, tmp_path, "--check")
    assert result.returncode == 2 and "kinesis.endpoint" in result.stderr, result.stderr


def test_example_config_is_valid(tmp_path):
    import json

    from tests.agent.conftest import REPO
    cfg = json.loads((REPO / "agent" / "agent.json.example").read_text())
    result = run_agent_cli(cfg, tmp_path, "--check")
    assert result.returncode == 0, result.stderr
