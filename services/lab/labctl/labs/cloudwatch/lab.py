"""The CloudWatch Logs -> Kafka -> S3 sibling lab: its names, files and processes.

Four processes beside the main lab (services/cloudwatch_lab/README.md): the Kafka broker,
the CloudWatch Logs agent (`python -m agent.awslogs`) and the two connectors
(`python -m kafka_connect`), with the command lines of issue 24's contract. This module holds
what both runtimes share and nothing that starts a process: the names, the native state
layout, the agent's awslogs.conf rendered for this host, the processes as supervisord
programs (labctl.native renders them when native_side starts the lab) and the provisioning `make cloudwatch-lab` does
(the buckets; the agent creates its log group and stream itself, as the real one does).
"""
from __future__ import annotations

import hashlib
import os
import re
import socket
import sys
from pathlib import Path

from botocore.exceptions import ClientError

from labctl import aws_clients
from labctl import settings as lab
from labctl.labs.cloudwatch import kafka_broker
from labctl.labs.hook import Program
from labctl.settings import LabSettings

LOG_GROUP = "cloudwatchLogsEC2"
WORKSHOP_REGION = "ap-south-1"
SINK_BUCKET = "cloudwatch-kafka-lab"
AWSLOGS_TEMPLATE = lab.REPO_ROOT / "services" / "cloudwatch_lab" / "awslogs.conf"
CONNECTOR_CONFIGS = {
    "cloudwatch-source": lab.REPO_ROOT / "services" / "kafka_connect" / "config" / "cloudwatch-logs-source.json",
    "s3-sink": lab.REPO_ROOT / "services" / "kafka_connect" / "config" / "s3-sink.json",
}
# Started in this order by `make cloudwatch-lab`; the broker first (the others need it).
PROGRAMS = ("kafka", "awslogs-agent", "cloudwatch-source", "s3-sink")
MOVERS = ("awslogs-agent", "cloudwatch-source", "s3-sink")  # the processes with a stats file


def instance_id(env: dict[str, str] | None = None, hostname: str | None = None) -> str:
    """The lab's EC2-shaped instance id: LAB_INSTANCE_ID, else `i-` + 17 hex digits of
    sha256(hostname) (stable per host); the agent's `{instance_id}` log stream name."""
    env = os.environ if env is None else env
    if env.get("LAB_INSTANCE_ID"):
        return env["LAB_INSTANCE_ID"]
    name = hostname if hostname is not None else socket.gethostname()
    return "i-" + hashlib.sha256(name.encode()).hexdigest()[:17]


def render_awslogs_conf(template: str, log_file: Path, state_file: Path) -> str:
    """The workshop's awslogs.conf with its two paths replaced: `state_file` in [general] and
    `file` in every log section. Everything else (comments, order, the other keys) is kept."""
    out, section = [], None
    for line in template.splitlines():
        header = re.match(r"\s*\[([^\]]+)\]", line)
        if header:
            section = header.group(1).strip()
        key = re.match(r"\s*([A-Za-z_]+)\s*=", line)
        if key and section == "general" and key.group(1) == "state_file":
            line = f"state_file = {state_file}"
        elif key and section not in (None, "general") and key.group(1) == "file":
            line = f"file = {log_file}"
        out.append(line)
    return "\n".join(out) + "\n"


def native_paths(settings: LabSettings) -> dict[str, Path]:
    """Where the native lab keeps the CloudWatch lab's files (under the state directory)."""
    root = settings.state_dir / "cloudwatch"
    return {
        "root": root,
        "awslogs_conf": root / "awslogs.conf",
        "awslogs_state": root / "agent-state",
        "awslogs-agent_stats": root / "awslogs-agent.stats.json",
        "cloudwatch-source_state": root / "cloudwatch-source",
        "cloudwatch-source_stats": root / "cloudwatch-source.stats.json",
        "s3-sink_state": root / "s3-sink",
        "s3-sink_stats": root / "s3-sink.stats.json",
        "access_log": settings.state_dir / "apache" / "logs" / "access_log",
    }


def write_awslogs_conf(settings: LabSettings) -> Path:
    paths = native_paths(settings)
    paths["root"].mkdir(parents=True, exist_ok=True)
    paths["awslogs_conf"].write_text(render_awslogs_conf(
        AWSLOGS_TEMPLATE.read_text(), paths["access_log"], paths["awslogs_state"]))
    return paths["awslogs_conf"]


def broker_config(settings: LabSettings) -> kafka_broker.BrokerConfig:
    """The native broker (Apache Kafka): on LAB_BIND_ADDRESS, LAB_KAFKA_PORT and
    LAB_KAFKA_CONTROLLER_PORT, its log dirs under the state dir."""
    return kafka_broker.BrokerConfig(settings.bind_address, settings.kafka_port,
                                     native_paths(settings)["root"] / "kafka", settings.kafka_controller_port,
                                     advertised_host=settings.host)


def programs(settings: LabSettings) -> list[Program]:
    """The four processes of the lab, native (supervisord starts them on `make cloudwatch-lab`)."""
    paths = native_paths(settings)
    cfg = broker_config(settings)
    kafka_broker.write_config(cfg)
    aws_env = {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"}
    bootstrap = cfg.bootstrap  # what the broker advertises: settings.kafka_bootstrap
    agent = [sys.executable, "-m", "agent.awslogs", "--config", str(paths["awslogs_conf"]),
             "--endpoint-url", settings.localstack_url, "--stats-file", str(paths["awslogs-agent_stats"])]
    connectors = [
        Program(name, [sys.executable, "-m", "kafka_connect", "--config", str(CONNECTOR_CONFIGS[name]),
                       "--bootstrap", bootstrap, "--aws-endpoint", settings.localstack_url,
                       "--state-dir", str(paths[f"{name}_state"]), "--stats-file", str(paths[f"{name}_stats"])],
                lab.REPO_ROOT, aws_env)
        for name in ("cloudwatch-source", "s3-sink")
    ]
    return [Program("kafka", kafka_broker.command(cfg), cfg.node_dir, kafka_broker.environment(cfg)),
            Program("awslogs-agent", agent, lab.REPO_ROOT, aws_env), *connectors]


def provision(localstack_url: str) -> list[str]:
    """The S3 sink's bucket. Idempotent; the names of the buckets it created."""
    s3 = aws_clients.client("s3", localstack_url)
    made = []
    for bucket in (SINK_BUCKET,):
        try:
            s3.head_bucket(Bucket=bucket)
            continue
        except ClientError as error:
            if error.response["Error"]["Code"] not in ("404", "NoSuchBucket"):
                raise
        s3.create_bucket(Bucket=bucket)
        made.append(bucket)
    return made
