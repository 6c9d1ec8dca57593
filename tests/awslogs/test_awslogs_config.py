"""awslogs.conf parsing and start-up validation: the workshop's file, AWS's
documented defaults and limits, and a bad value naming its section and key."""
from __future__ import annotations

import hashlib
import re
import socket
from pathlib import Path

import pytest

from agent.awslogs.config import ConfigError, load_config
from tests.agent.conftest import REPO
from tests.awslogs.conftest import run_cli, write_conf

pytestmark = pytest.mark.unit

WORKSHOP_CONF = REPO / "services" / "cloudwatch_lab" / "awslogs.conf"


def conf(tmp_path: Path, **keys: str) -> Path:
    base = {"file": "/var/log/httpd/access_log", "log_group_name": "g", "log_stream_name": "s"}
    return write_conf(tmp_path / "awslogs.conf", tmp_path / "state", {"logs": {**base, **keys}})


def test_workshop_conf(monkeypatch):
    monkeypatch.delenv("LAB_INSTANCE_ID", raising=False)
    cfg = load_config(WORKSHOP_CONF)
    assert cfg.state_file == Path("/var/lib/awslogs/agent-state")
    (s,) = cfg.sections
    assert (s.name, s.file, s.log_group_name, s.region) == \
        ("application_logs", "/var/log/httpd/access_log", "cloudwatchLogsEC2", "ap-south-1")
    # {instance_id}: i- + 17 hex digits of sha256(hostname) (CONTRACT24.md).
    assert s.log_stream_name == "i-" + hashlib.sha256(socket.gethostname().encode()).hexdigest()[:17]
    assert s.datetime_format == "%b %d %H:%M:%S" and s.buffer_duration_ms == 5000
    assert not s.start_at_end and not s.utc
    # AWS's documented defaults for the keys the workshop leaves out.
    assert (s.batch_count, s.batch_size, s.encoding, s.file_fingerprint_lines) == \
        (1000, 32768, "utf_8", (1, 1))
    assert re.match(s.multi_line_start_pattern, "x") and not re.match(s.multi_line_start_pattern, " x")


def test_placeholders(tmp_path, monkeypatch):
    monkeypatch.setenv("LAB_INSTANCE_ID", "i-0123456789abcdef0")
    cfg = load_config(conf(tmp_path, log_stream_name="{instance_id}/{hostname}/{ip_address}"))
    iid, host, ip = cfg.sections[0].log_stream_name.split("/")
    assert (iid, host) == ("i-0123456789abcdef0", socket.gethostname())
    assert re.fullmatch(r"\d+\.\d+\.\d+\.\d+", ip)


def test_limits_accepted_at_their_bounds(tmp_path):
    s = load_config(conf(tmp_path, batch_count="10000", batch_size="1048576",
                         buffer_duration="5000", initial_position="end_of_file",
                         time_zone="UTC", file_fingerprint_lines="2-5",
                         multi_line_start_pattern="{datetime_format}",
                         datetime_format="%Y-%m-%d %H:%M:%S,%f")).sections[0]
    assert (s.batch_count, s.batch_size, s.start_at_end, s.utc, s.file_fingerprint_lines) == \
        (10000, 1048576, True, True, (2, 5))
    assert re.match(s.multi_line_start_pattern, "2026-12-05 10:00:00,123 INFO x")
    assert not re.match(s.multi_line_start_pattern, "\tat com.example.Foo")


@pytest.mark.parametrize(("key", "value", "message"), [
    ("batch_count", "10001", "out of range"),
    ("batch_count", "0", "out of range"),
    ("batch_size", "1048577", "out of range"),
    ("batch_size", "lots", "not an integer"),
    ("buffer_duration", "4999", "out of range"),
    ("initial_position", "middle", "start_of_file or end_of_file"),
    ("time_zone", "CET", "LOCAL or UTC"),
    ("datetime_format", "%Y-%m-%d %Q", "unsupported directive %Q"),
    ("datetime_format", "no directives", "no date or time directive"),
    ("multi_line_start_pattern", "([unclosed", "not a valid regular expression"),
    ("multi_line_start_pattern", "{datetime_format}", "needs datetime_format"),
    ("encoding", "klingon", "not an encoding"),
    ("encoding", "utf_16", "newline"),
    ("file_fingerprint_lines", "5-2", "N or N-M"),
    ("region", "mars", "not a region"),
    ("file", "relative/access_log", "not an absolute path"),
    ("log_group_name", "bad:name", "not a valid log group name"),
    ("log_stream_name", "a*b", "not a valid log stream name"),
    ("log_stream_name", "{instance_type}", "unknown placeholder"),
    ("log_group_name", "", "required"),
])
def test_bad_value_names_section_and_key(tmp_path, key, value, message):
    with pytest.raises(ConfigError, match=re.escape(f"[logs] {key}: ") + ".*" + re.escape(message)):
        load_config(conf(tmp_path, **{key: value}))


def test_general_section_and_state_file_required(tmp_path):
    path = tmp_path / "a.conf"
    path.write_text("[logs]\nfile = /x\nlog_group_name = g\nlog_stream_name = s\n")
    with pytest.raises(ConfigError, match=r"\[general\]"):
        load_config(path)
    path.write_text("[general]\n[logs]\nfile = /x\nlog_group_name = g\nlog_stream_name = s\n")
    with pytest.raises(ConfigError, match=r"\[general\] state_file: required"):
        load_config(path)


def test_cli_refuses_bad_conf_and_real_aws(tmp_path):
    bad = run_cli(conf(tmp_path, batch_count="20000"), "--endpoint-url", "http://127.0.0.1:1")
    assert bad.returncode == 2 and "[logs] batch_count: 20000 is out of range" in bad.stderr
    aws = run_cli(conf(tmp_path), "--endpoint-url", "https://logs.ap-south-1.amazonaws.com")
    assert aws.returncode == 2 and "real AWS" in aws.stderr
    ok = run_cli(WORKSHOP_CONF, "--endpoint-url", "http://127.0.0.1:1", "--check")
    assert ok.returncode == 0, ok.stderr
