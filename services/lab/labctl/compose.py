"""Compose runtime: the lab's targets through Compose, and the engine through its API.

Compose itself is a CLI: `docker compose` (v2) where the plugin exists, else
`docker-compose` (v1.29, e.g. Debian's). Everything else the lab asks the engine
(does it answer, is a service healthy, a command's output in a service's
container) goes through labctl.engine: the Docker API, to Docker and to
Docker-API-compatible engines (podman's service) alike, every call time-limited. The project
and its files are Compose's own settings: COMPOSE_PROJECT_NAME (.env sets it) and
COMPOSE_FILE (docker-compose.yml unless set).
"""
from __future__ import annotations

import contextlib
import logging
import os
import shutil
import subprocess
from collections.abc import Iterator
from functools import cache

from labctl import engine
from labctl import settings as lab
from labctl.errors import LabError, LabTimeout
from labctl.waiting import wait_until

LOG = logging.getLogger(__name__)

PROJECT_LABEL = "com.docker.compose.project"
SERVICE_LABEL = "com.docker.compose.service"
ONE_SHOT_LABEL = "org.clickstream-lab.one-shot"
WAIT_TIMEOUT_S = 1200  # a first `up` builds the images
# Services outside plain `up`: `down` stops them too.
PROFILES = ("generator", "cloudwatch")

class ComposeError(LabError, RuntimeError):
    """Compose or the engine is missing or failed; the message says what to do."""


def engine_answers() -> bool:
    """True when a Docker-API engine (not just a CLI) answers at DOCKER_HOST or the default socket."""
    return engine.ping()


@cache
def compose_command() -> tuple[str, ...]:
    """`docker compose` (v2) if the plugin works, else `docker-compose` (v1)."""
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True, check=False, timeout=30)
        if probe.returncode == 0:
            return ("docker", "compose")
    if shutil.which("docker-compose"):
        return ("docker-compose",)
    raise ComposeError("no Compose CLI: install the Docker Compose plugin (`docker compose`) "
                       "or docker-compose; `make doctor` checks")


def is_v2() -> bool:
    return compose_command() == ("docker", "compose")


def project_name() -> str:
    """The Compose project: COMPOSE_PROJECT_NAME, else the one .env sets."""
    name = os.environ.get("COMPOSE_PROJECT_NAME")
    if not name:
        env_file = lab.REPO_ROOT / ".env"
        for line in env_file.read_text().splitlines() if env_file.exists() else []:
            if line.startswith("COMPOSE_PROJECT_NAME="):
                name = line.partition("=")[2].strip()
    return name or lab.REPO_ROOT.name


@contextlib.contextmanager
def environment(values: dict[str, str]) -> Iterator[None]:
    """`values` in os.environ while the block runs (Compose reads its project and the lab's LAB_*
    from the process environment), the earlier values restored after."""
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _compose(*args: str) -> int:
    try:
        command = compose_command()
    except ComposeError as error:
        LOG.error("%s", error)
        return 127
    return subprocess.run([*command, *args], check=False, cwd=lab.REPO_ROOT).returncode


def containers(include_stopped: bool = False) -> list[dict]:
    """The project's containers, as the engine inspects them (`docker inspect`'s data)."""
    return engine.list_containers(f"{PROJECT_LABEL}={project_name()}", include_stopped)


def service_of(attrs: dict) -> str:
    """The Compose service a container belongs to (its name when it has no label)."""
    labels = (attrs.get("Config") or {}).get("Labels") or {}
    return labels.get(SERVICE_LABEL) or attrs.get("Name", "").lstrip("/")


def container_health(attrs: dict) -> str:
    """healthy / unhealthy / starting, `exited N` for a stopped container, `running`
    when it declares no health check."""
    state = attrs.get("State") or {}
    if state.get("Status") != "running":
        return f"exited {state.get('ExitCode')}"
    health = state.get("Health") or state.get("Healthcheck") or {}
    return health.get("Status") or "running"


def not_ready(all_containers: list) -> dict[str, str]:
    """Services that are not ready yet, with their state: a long-running one must be
    healthy (or running, without a health check), a one-shot one exited 0."""
    waiting = {}
    for attrs in all_containers:
        labels = (attrs.get("Config") or {}).get("Labels") or {}
        service = service_of(attrs)
        state = container_health(attrs)
        if labels.get(ONE_SHOT_LABEL) == "true":
            if state != "exited 0":
                waiting[service] = state
        elif state not in ("healthy", "running"):
            waiting[service] = state
    return waiting


def wait_ready(timeout: float = WAIT_TIMEOUT_S, poll_s: float = 2.0) -> int:
    """What `up --wait` does in Compose v2, for v1: 0 once every service is ready,
    1 when one fails (a one-shot exits non-zero) or the time-out passes."""
    waiting: dict[str, str] = {}

    def all_ready() -> bool:
        nonlocal waiting
        try:
            found = containers(include_stopped=True)
        except engine.EngineError as error:  # an engine busy building answers late: ask again
            LOG.warning("%s; asking again", error)
            return False
        waiting = not_ready(found)
        failed = {service: state for service, state in waiting.items()
                  if state.startswith("exited") and state != "exited 0"}
        if failed:
            raise ComposeError(f"services failed: {failed} (make logs)")
        return bool(found) and not waiting

    try:
        wait_until(all_ready, timeout, poll_s, what="the compose lab's services")
    except ComposeError as error:
        LOG.error("%s", error)
        return 1
    except LabTimeout:
        LOG.error("not ready after %.0fs: %s", timeout, waiting)
        return 1
    return 0


def up() -> int:
    # No --build: compose builds only missing images, so a classroom that ran
    # `make load` stays offline; `make pull` rebuilds after code changes.
    if is_v2():
        return _compose("up", "-d", "--wait")
    rc = _compose("up", "-d")
    return rc or wait_ready()


def _all_profiles() -> list[str]:
    return [arg for profile in PROFILES for arg in ("--profile", profile)]


def down() -> int:
    # never --volumes: the lab's state lives on them (make reset removes them, reset.py)
    return _compose(*_all_profiles(), "down", "--remove-orphans")


def remove_with_volumes() -> int:
    return _compose(*_all_profiles(), "down", "--volumes", "--remove-orphans")


def up_profile(profile: str, services: tuple[str, ...]) -> int:
    """Start a profile's services (and what they depend on) beside the running lab and wait until
    they are ready. Named, not the whole project: `up` would also start the lab's exited one-shot
    `setup` again (provisioning the lab a second time)."""
    if is_v2():
        return _compose("--profile", profile, "up", "-d", "--wait", *services)
    rc = _compose("--profile", profile, "up", "-d", *services)
    return rc or wait_ready()


def logs() -> int:
    return _compose("logs", "-f", "--tail", "100")


def generate(extra_args: list[str]) -> int:
    return _compose("--profile", "generator", "run", "--rm", "generator",
                    "--url", "http://apache:80", *extra_args)


def exec_output(service: str, *command: str, timeout: float = engine.CALL_TIMEOUT_S,
                stderr: bool = True) -> str | None:
    """Output of a command run in a running service's container (its stderr too unless `stderr`
    is False), None if it failed or did not end within `timeout` (the engine gone, the container
    stopping)."""
    try:
        for attrs in containers():
            if service_of(attrs) == service:
                code, output = engine.exec_output(attrs["Id"], list(command), timeout, stderr)
                return output.decode("utf-8", "replace") if code == 0 else None
    except engine.EngineError as error:
        LOG.warning("%s", error)
    return None


def read_files(service: str, path: str, timeout: float = engine.CALL_TIMEOUT_S) -> dict[str, bytes] | None:
    """The files at `path` in a running service's container, by name (engine.read_files);
    None if there is no such container or the engine failed."""
    try:
        for attrs in containers():
            if service_of(attrs) == service:
                return engine.read_files(attrs["Id"], path, timeout)
    except engine.EngineError as error:
        LOG.warning("%s", error)
    return None


def access_log_lines() -> int | None:
    """Lines Apache wrote in its container (the log lives in a volume)."""
    out = exec_output("apache", "sh", "-c", "cat /var/log/httpd/access_log* | wc -l")
    return int(out.strip()) if out and out.strip().isdigit() else None


def agent_stats_json() -> str | None:
    """The agent's stats file, read from its container's volume."""
    return exec_output("agent", "cat", "/var/lib/agent/stats.json")
