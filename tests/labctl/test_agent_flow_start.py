"""A lab started again in another log format (LAB_ACCESS_LOG_FORMAT, after `make down`) ships only
the lines written in that format (issue 35, problem 3): the new flow starts at the end of the
access log with the agent's old positions forgotten, and the accounting counts from that line.
In the same format nothing changes. The native lab doing it end to end is in
tests/e2e/test_log_format_switch.py."""
from __future__ import annotations

import pytest
from labctl import agent_flow_start, native, status
from labctl import settings as lab

pytestmark = pytest.mark.unit


def lab_in(tmp_path, log_format: str) -> lab.LabSettings:
    return lab.load({"LAB_STATE_DIR": str(tmp_path / "state"), "LAB_ACCESS_LOG_FORMAT": log_format})


def checkpoint_files(tmp_path):
    folder = tmp_path / "state" / "agent"
    folder.mkdir(parents=True, exist_ok=True)
    files = [folder / name for name in ("checkpoints.db", "checkpoints.db-wal", "checkpoints.db-shm")]
    for path in files:
        path.write_bytes(b"positions")
    return files


def test_a_new_lab_ships_its_format_from_the_first_line(tmp_path):
    files = checkpoint_files(tmp_path)
    start = agent_flow_start.begin(lab_in(tmp_path, "clickstream"), lambda: 0, files[0])
    assert start == agent_flow_start.FlowStart("clickstream", 0)
    assert native.agent_config(lab_in(tmp_path, "clickstream"))["flows"][0]["initialPosition"] == "START_OF_FILE"
    assert all(path.exists() for path in files)


def test_the_same_format_again_resumes_where_the_agent_was(tmp_path):
    files = checkpoint_files(tmp_path)
    agent_flow_start.begin(lab_in(tmp_path, "clickstream"), lambda: 0, files[0])
    again = agent_flow_start.begin(lab_in(tmp_path, "clickstream"), lambda: 2000, files[0])
    assert again == agent_flow_start.FlowStart("clickstream", 0)
    assert all(path.exists() for path in files), "the agent's positions are kept"


def test_another_format_starts_at_the_end_and_forgets_the_old_positions(tmp_path):
    files = checkpoint_files(tmp_path)
    agent_flow_start.begin(lab_in(tmp_path, "clickstream"), lambda: 0, files[0])
    switched = agent_flow_start.begin(lab_in(tmp_path, "kinesis"), lambda: 2000, files[0])
    assert switched == agent_flow_start.FlowStart("kinesis", 2000, accounted_before=None)
    assert not any(path.exists() for path in files)
    flow = native.agent_config(lab_in(tmp_path, "kinesis"))["flows"][0]
    assert flow["initialPosition"] == "END_OF_FILE" and flow["kinesisStream"] == lab.KINESIS_STREAM
    # once up, what the archive already held is not this flow's
    assert agent_flow_start.settle(lab_in(tmp_path, "kinesis"), 40).accounted_before == 40
    assert agent_flow_start.settle(lab_in(tmp_path, "kinesis"), 90).accounted_before == 40
    # and back: the workshop's flow must not resume its old position, before the JSON lines
    back = agent_flow_start.begin(lab_in(tmp_path, "clickstream"), lambda: 2500, checkpoint_files(tmp_path)[0])
    assert back == agent_flow_start.FlowStart("clickstream", 2500, accounted_before=None)
    assert native.agent_config(lab_in(tmp_path, "clickstream"))["flows"][0]["initialPosition"] == "END_OF_FILE"


def test_a_teams_agent_json_keeps_its_own_start(tmp_path):
    own = tmp_path / "agent.json"
    own.write_text('{"flows": [{"filePattern": "/var/log/httpd/access_log*", "deliveryStream": "x", '
                   '"initialPosition": "START_OF_FILE"}]}')
    files = checkpoint_files(tmp_path)
    env = {"LAB_STATE_DIR": str(tmp_path / "state"), "LAB_AGENT_CONFIG": str(own)}
    agent_flow_start.begin(lab.load(env), lambda: 0, files[0])
    agent_flow_start.begin(lab.load({**env, "LAB_ACCESS_LOG_FORMAT": "kinesis"}), lambda: 2000, files[0])
    assert all(path.exists() for path in files)
    assert native.agent_config(lab.load(env))["flows"][0]["initialPosition"] == "START_OF_FILE"


def test_status_counts_the_kinesis_flow_from_where_it_began():
    st = status.LabStatus(runtime="native", services={"localstack": "up"}, log_lines=2300, index_documents=2000,
                          access_log_format="kinesis", counted_from=2000, accounted_before=40,
                          s3_records={"kinesis_archive": 340, "backup": 2000})
    text = status.render_text(st)
    assert "Accounted: 300 of 300 lines (all accounted for)" in text, text
    assert "counted from access_log line 2001, where the lab began shipping LAB_ACCESS_LOG_FORMAT=kinesis" in text
    st.s3_records = {"kinesis_archive": 40}
    st.firehose = {lab.KINESIS_DELIVERY_STREAM: {"buffered_records": 300}}
    assert "Accounted: 0 of 300 lines (300 buffered in web_access_log_archive" in status.render_text(st)


def test_status_counts_the_workshops_flow_without_an_earlier_flows_documents():
    st = status.LabStatus(runtime="native", log_lines=2350, index_documents=2020, counted_from=2300,
                          accounted_before=2000, s3_records={"processing_failed": 30})
    assert "Accounted: 50 of 50 lines (all accounted for)" in status.render_text(st)
