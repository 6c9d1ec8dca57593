"""The CloudWatch lab's wiring, without starting anything: the supervisord programs as issue 24's
contract gives their command lines, the agent's awslogs.conf rendered for the native lab, the
instance id, LAB_KAFKA_PORT, and `make status` before `make cloudwatch-lab`."""
from __future__ import annotations

import configparser
import hashlib
import json
import os
import shlex
import subprocess
import sys
from typing import ClassVar

import pytest
from labctl import native, settings, status
from labctl.labs.cloudwatch import lab as cloudwatch_lab
from labctl.labs.cloudwatch import status as cloudwatch_status

pytestmark = pytest.mark.unit


def lab_settings(tmp_path, **env) -> settings.LabSettings:
    return settings.load({"LAB_STATE_DIR": str(tmp_path / "lab"), "LAB_LOCALSTACK_PORT": "14566",
                          "LAB_KAFKA_PORT": "19093", **env})


def rendered_programs(s: settings.LabSettings) -> dict[str, dict[str, str]]:
    parser = configparser.RawConfigParser()
    parser.read_string(native.render_supervisord_conf(s))
    parser.read_string(native.render_programs(s, cloudwatch_lab.programs(s)))   # what start adds
    return {section.split(":", 1)[1]: dict(parser[section]) for section in parser.sections()
            if section.startswith("program:")}


def argv(program: dict[str, str]) -> list[str]:
    return shlex.split(program["command"].replace("%%", "%"))


def option(args: list[str], name: str) -> str:
    return args[args.index(name) + 1]


def test_the_four_programs_wait_for_make_cloudwatch_lab(tmp_path):
    programs = rendered_programs(lab_settings(tmp_path))
    assert set(cloudwatch_lab.PROGRAMS) <= set(programs)
    for name in cloudwatch_lab.PROGRAMS:
        assert programs[name]["autostart"] == "false", name
    # the main lab's own programs are unchanged, and supervisord reads the sibling labs' programs
    assert programs["opensearch"]["autostart"] == "true"
    main = configparser.RawConfigParser()
    main.read_string(native.render_supervisord_conf(lab_settings(tmp_path)))
    assert main["include"]["files"] == str(tmp_path / "lab" / "programs.d" / "*.conf")
    assert not set(cloudwatch_lab.PROGRAMS) & {s.split(":", 1)[-1] for s in main.sections()}


def test_commands_are_the_contracts(tmp_path):
    s = lab_settings(tmp_path)
    programs = rendered_programs(s)
    state = tmp_path / "lab" / "cloudwatch"
    agent = argv(programs["awslogs-agent"])
    assert agent[1:3] == ["-m", "agent.awslogs"]
    assert option(agent, "--config") == str(state / "awslogs.conf")
    assert option(agent, "--endpoint-url") == "http://127.0.0.1:14566"
    assert option(agent, "--stats-file") == str(state / "awslogs-agent.stats.json")
    for name, config in (("cloudwatch-source", "cloudwatch-logs-source.json"), ("s3-sink", "s3-sink.json")):
        connector = argv(programs[name])
        assert connector[1:3] == ["-m", "kafka_connect"], name
        assert option(connector, "--config").endswith(f"services/kafka_connect/config/{config}")
        assert option(connector, "--bootstrap") == "127.0.0.1:19093"
        assert option(connector, "--aws-endpoint") == "http://127.0.0.1:14566"
        assert option(connector, "--state-dir") == str(state / name)
        assert option(connector, "--stats-file") == str(state / f"{name}.stats.json")


@pytest.mark.parametrize("bind, advertised", [("127.0.0.1", "127.0.0.1"), ("0.0.0.0", "127.0.0.1")])
def test_kafka_binds_to_the_bind_address_and_keeps_topics_in_the_state_dir(tmp_path, bind, advertised):
    s = lab_settings(tmp_path, LAB_BIND_ADDRESS=bind, LAB_KAFKA_CONTROLLER_PORT="19094")
    kafka = rendered_programs(s)["kafka"]
    node = s.state_dir / "cloudwatch" / "kafka"
    assert argv(kafka)[1:] == ["-m", "labctl.labs.cloudwatch.kafka_broker", str(node)]
    properties = dict(line.split("=", 1) for line in (node / "server.properties").read_text().splitlines()
                      if line and not line.startswith("#"))
    assert properties["process.roles"] == "broker,controller"
    assert properties["listeners"] == f"PLAINTEXT://{bind}:19093,CONTROLLER://{bind}:19094"
    assert properties["advertised.listeners"] == f"PLAINTEXT://{advertised}:19093"
    assert properties["log.dirs"] == str(node / "data")


def test_awslogs_conf_gets_the_labs_two_paths_and_keeps_the_rest(tmp_path):
    s = lab_settings(tmp_path)
    path = cloudwatch_lab.write_awslogs_conf(s)
    template, rendered = configparser.RawConfigParser(), configparser.RawConfigParser()
    template.read(cloudwatch_lab.AWSLOGS_TEMPLATE)
    rendered.read(path)
    assert rendered["general"]["state_file"] == str(tmp_path / "lab" / "cloudwatch" / "agent-state")
    assert rendered["application_logs"]["file"] == str(tmp_path / "lab" / "apache" / "logs" / "access_log")
    for section in template.sections():
        for key, value in template[section].items():
            if key not in ("file", "state_file"):
                assert rendered[section][key] == value, (section, key)
    assert rendered["application_logs"]["log_group_name"] == cloudwatch_lab.LOG_GROUP


def test_instance_id_is_ec2_shaped_and_stable():
    expected = "i-" + hashlib.sha256(b"web-1").hexdigest()[:17]
    assert cloudwatch_lab.instance_id({}, "web-1") == expected
    assert len(expected) == 19
    assert cloudwatch_lab.instance_id({"LAB_INSTANCE_ID": "i-0123456789abcdef0"}, "web-1") == "i-0123456789abcdef0"


@pytest.mark.parametrize("value, message", [("nine", "LAB_KAFKA_PORT='nine' is not a port number"),
                                            ("70000", "LAB_KAFKA_PORT=70000 is outside 1-65535")])
def test_a_bad_kafka_port_names_the_key(value, message):
    with pytest.raises(settings.SettingsError, match=message):
        settings.load({"LAB_KAFKA_PORT": value})


def test_kafka_port_default_and_bootstrap():
    assert settings.load({}).kafka_bootstrap == "127.0.0.1:9092"
    assert settings.load({"LAB_IN_COMPOSE_NETWORK": "1"}).kafka_bootstrap == "kafka:9092"


class StoppedLab:
    """A runtime whose CloudWatch programs exist but were never started (after `make up`)."""

    name = "native"

    def processes(self):
        return {name: "stopped" for name in cloudwatch_lab.PROGRAMS}


@pytest.mark.parametrize("runtime", [None, StoppedLab()])
def test_status_says_not_started_before_make_cloudwatch_lab(runtime):
    data = cloudwatch_status.collect(runtime)
    assert data == {"state": "not started"}
    assert cloudwatch_status.render(data)[-1].strip() == "not started"
    lab_status = status.LabStatus(runtime="native", labs={"cloudwatch_lab": data})
    assert '"cloudwatch_lab": {\n    "state": "not started"' in status.render_json(lab_status)


def test_make_cloudwatch_lab_without_a_running_lab_says_to_start_it(tmp_path):
    run = subprocess.run([sys.executable, "-m", "labctl", "cloudwatch-lab"], capture_output=True, text=True,
                         env={**os.environ, "LAB_STATE_DIR": str(tmp_path)}, timeout=60, check=False)
    assert run.returncode == 1
    assert run.stderr.strip() == "error: the lab is not running: make up"


class StartedLab:
    """A runtime whose CloudWatch processes run, with stats files in the contract's shapes
    (issue 24: agent, source, sink), one of them unreadable mid-write."""

    name = "native"
    STATS: ClassVar[dict] = {
        "awslogs-agent": {"lines_read": 1000, "events_sent": 998, "put_log_events_calls": 3, "retries": 1,
                          "last_error": None, "updated_at": "2026-12-05T22:00:00Z"},
        "cloudwatch-source": {"events_read": 998, "records_produced": 990, "topics": {"t": 990},
                              "last_error": "ThrottlingException", "updated_at": "2026-12-05T22:00:00Z"},
    }

    def processes(self):
        return {"kafka": "running", "awslogs-agent": "running", "cloudwatch-source": "running", "s3-sink": "backoff"}

    def kafka_status(self):
        return {"health": "up", "bootstrap": "127.0.0.1:9092",
                "topics": {"t": {"partitions": 1, "records": 990, "offsets": {"0": [0, 990]}}},
                "groups": {"s3-sink": {"committed": {"t+0": 900}, "lag": 90}}}

    def stats_json(self, name):
        return json.dumps(self.STATS[name]) if name in self.STATS else "{\"records_consu"


def test_status_shows_what_each_moved_from_the_stats_files():
    data = cloudwatch_status.collect(StartedLab())
    assert data["moved"] == {"awslogs-agent": 998, "cloudwatch-source": 990}
    assert data["stats"]["s3-sink"] == {"last_error": "stats file unreadable"}
    text = "\n".join(cloudwatch_status.render(data))
    assert "awslogs-agent moved                998 (lines read 1000, events sent 998, put log events calls 3, retries 1)" in text
    assert "cloudwatch-source last error       ThrottlingException" in text
    assert "s3-sink                            backoff" in text
    assert "topic t                            990 records in 1 partitions" in text
    assert "group s3-sink                      lag 90 (committed: t+0 900)" in text
