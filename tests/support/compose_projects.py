"""Compose projects a test run brings up end with the run, however it ends.

Containers are not processes of the run: the engine (podman's API service, which `make test`
starts before pytest, or a Docker daemon) runs them, so tests/support/processes.py cannot see
them, and a run killed before a fixture's `make down` left a whole lab running. So a suite that
brings up a compose project registers it here: a file in build/test-projects/ naming the
project, the engine (DOCKER_HOST) and the pytest process that owns it (run id, pid, start
time); the suite releases it after its `down -v`. Then:

- at session start the controller removes every registered project whose owner is gone (a run
  killed by SIGKILL or a time-out before its teardown);
- on SIGTERM/SIGHUP and at the session's end the run's controller removes its run's projects.

"Removes" is what `down -v` does, through the engine's API: the project's containers (killed),
networks and volumes, found by Compose's project label. Only registered projects are touched:
never a user's lab or another checkout's suite (their names differ, and they are not here).
"""
from __future__ import annotations

import json
import logging
from pathlib import Path

import docker
import psutil
from docker.errors import DockerException

LOG = logging.getLogger(__name__)
REGISTRY = Path(__file__).resolve().parents[2] / "build" / "test-projects"
PROJECT_LABEL = "com.docker.compose.project"
ENGINE_TIMEOUT_S = 30


def _entry_path(project: str) -> Path:
    return REGISTRY / f"{project}.json"


def register(project: str, run: str, docker_host: str | None) -> None:
    """Record that this pytest process, of run `run`, is bringing up `project`."""
    REGISTRY.mkdir(parents=True, exist_ok=True)
    me = psutil.Process()
    entry = {"project": project, "docker_host": docker_host, "run": run,
             "owner": me.pid, "owner_started": me.create_time()}
    path = _entry_path(project)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(entry))
    tmp.replace(path)


def release(project: str) -> None:
    """The project is down: nothing is left to remove."""
    _entry_path(project).unlink(missing_ok=True)


def entries() -> list[dict]:
    """Every registered project (unreadable entries are skipped)."""
    found = []
    for path in sorted(REGISTRY.glob("*.json")) if REGISTRY.is_dir() else []:
        try:
            found.append(json.loads(path.read_text()))
        except (OSError, ValueError):
            continue
    return found


def _owner_alive(entry: dict) -> bool:
    try:
        return abs(psutil.Process(int(entry["owner"])).create_time() - float(entry["owner_started"])) < 1
    except (psutil.Error, KeyError, TypeError, ValueError):
        return False


def remove(entry: dict) -> int:
    """Remove the project's containers, networks and volumes; the number of containers."""
    label = {"label": f"{PROJECT_LABEL}={entry['project']}"}
    sdk = (docker.DockerClient(base_url=entry["docker_host"], timeout=ENGINE_TIMEOUT_S)
           if entry.get("docker_host") else docker.from_env(timeout=ENGINE_TIMEOUT_S))
    try:
        containers = sdk.containers.list(all=True, filters=label)
        for container in containers:
            container.remove(force=True, v=True)
        for network in sdk.networks.list(filters=label):
            network.remove()
        for volume in sdk.volumes.list(filters=label):
            volume.remove(force=True)
        return len(containers)
    finally:
        sdk.close()


def _remove_all(chosen: list[dict], why: str) -> list[str]:
    removed = []
    for entry in chosen:
        try:
            count = remove(entry)
        except (DockerException, OSError) as error:   # an engine gone or slow: keep it
            LOG.warning("could not remove compose project %s (%s): %s", entry.get("project"), why, error)
            continue
        release(entry["project"])
        removed.append(entry["project"])
        if count:
            LOG.warning("removed compose project %s (%d containers): %s", entry["project"], count, why)
    return removed


def reap() -> list[str]:
    """Remove the projects whose owner is gone; their names."""
    return _remove_all([e for e in entries() if not _owner_alive(e)], "its test run is gone")


def end_run(run: str) -> list[str]:
    """Remove the projects of run `run`; their names."""
    return _remove_all([e for e in entries() if e.get("run") == run], "its test run ended")

