"""Compose runtime: thin wrappers over `docker compose` for the lab's targets."""
from __future__ import annotations

import shutil
import subprocess

from labctl import settings as lab


def engine_answers() -> bool:
    """True when a Docker engine (not just the CLI) answers."""
    if shutil.which("docker") is None:
        return False
    try:
        return subprocess.run(["docker", "info"], check=False, capture_output=True, timeout=15).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def _compose(*args: str) -> int:
    return subprocess.run(["docker", "compose", *args], check=False, cwd=lab.REPO_ROOT).returncode


def up() -> int:
    # No --build: compose builds only missing images, so a classroom that ran
    # `make load` stays offline; `make pull` rebuilds after code changes.
    return _compose("up", "-d", "--wait")


def down() -> int:
    return _compose("--profile", "generator", "down", "--remove-orphans")


def logs() -> int:
    return _compose("logs", "-f", "--tail", "100")


def generate(extra_args: list[str]) -> int:
    return _compose("--profile", "generator", "run", "--rm", "generator",
                    "--url", "http://apache:80", *extra_args)


def exec_output(service: str, *command: str) -> str | None:
    """Output of a command run in a running service's container, None if it failed."""
    try:
        result = subprocess.run(["docker", "compose", "exec", "-T", service, *command], check=False,
                                cwd=lab.REPO_ROOT, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return result.stdout if result.returncode == 0 else None


def access_log_lines() -> int | None:
    """Lines Apache wrote in its container (the log lives in a volume)."""
    out = exec_output("apache", "sh", "-c", "cat /var/log/httpd/access_log* | wc -l")
    return int(out.strip()) if out and out.strip().isdigit() else None


def agent_stats_json() -> str | None:
    """The agent's stats file, read from its container's volume."""
    return exec_output("agent", "cat", "/var/lib/agent/stats.json")
