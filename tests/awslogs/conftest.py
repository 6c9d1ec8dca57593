"""Helpers for the awslogs agent tests: awslogs.conf files, the agent as a real
process (`python -m agent.awslogs`), and reading a log stream back."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.agent.conftest import REPO, AgentProcess


def write_conf(path: Path, state_file: Path, sections: dict[str, dict[str, str]]) -> Path:
    text = f"[general]\nstate_file = {state_file}\n"
    for name, keys in sections.items():
        text += f"[{name}]\n" + "".join(f"{k} = {v}\n" for k, v in keys.items())
    path.write_text(text)
    return path


class AwsLogsProcess(AgentProcess):
    """`python -m agent.awslogs --config ... --endpoint-url ... --stats-file ...`."""

    def __init__(self, workdir: Path, conf: Path, endpoint: str, name: str = "awslogs"):
        self.workdir = workdir
        self.config_path = conf
        self.endpoint = endpoint
        self.stats_path = workdir / f"{name}-stats.json"
        self.log_path = workdir / f"{name}.log"
        self.proc = None

    def start(self, *extra: str) -> AwsLogsProcess:
        log = open(self.log_path, "ab")  # noqa: SIM115 (kept open for the process)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "agent.awslogs", "--config", str(self.config_path),
             "--endpoint-url", self.endpoint, "--stats-file", str(self.stats_path), *extra],
            cwd=REPO, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        log.close()
        return self


@pytest.fixture()
def awslogs_agents():
    started: list[AwsLogsProcess] = []
    yield started
    for a in started:
        a.stop_quietly()


def run_cli(conf: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "agent.awslogs", "--config", str(conf), *extra],
                          cwd=REPO, capture_output=True, text=True, timeout=60, check=False)


def read_stream(logs, group: str, stream: str) -> list[dict]:
    """Every event of a stream, oldest first, through GetLogEvents' forward tokens."""
    events: list[dict] = []
    kwargs = {"logGroupName": group, "logStreamName": stream, "startFromHead": True}
    token = None
    while True:
        page = logs.get_log_events(**kwargs, **({"nextToken": token} if token else {}))
        events.extend(page["events"])
        if not page["events"] or page.get("nextForwardToken") in (None, token):
            return events
        token = page["nextForwardToken"]


def filter_stream(logs, group: str, stream: str) -> list[dict]:
    events: list[dict] = []
    for page in logs.get_paginator("filter_log_events").paginate(
            logGroupName=group, logStreamNames=[stream]):
        events.extend(page["events"])
    return events
