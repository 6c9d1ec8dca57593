"""A compose project a test run brings up ends with the run, however it ends
(tests/support/compose_projects.py): a small pytest session in a subprocess registers a
project, as the compose suites do, and starts its container on the engine `make test` started;
it is then ended part-way. SIGTERM: the session removes the project itself. SIGKILL: the next
session removes it at its start. A container of another project (a user's lab) is never touched.
"""
from __future__ import annotations

import signal
import uuid
from pathlib import Path

import pytest
from labctl import engine

from tests.compose import engine_support as es
from tests.support import compose_projects
from tests.support import inner_session as inner
from tests.support.waiting import wait_for

pytestmark = [pytest.mark.docker, pytest.mark.timeout(es.ENGINE_TURN_WAIT_S + 600)]

INNER_TESTS = '''
import os, time
from pathlib import Path

import docker
from tests.support import compose_projects, processes


def test_brings_up_a_project_and_runs_until_stopped():
    project = os.environ["PROJECT"]
    compose_projects.register(project, os.environ[processes.RUN_VAR], os.environ.get("DOCKER_HOST"))
    sdk = docker.from_env(timeout=60)
    sdk.containers.run(os.environ["IMAGE"], ["sleep", "600"], detach=True,
                       labels={compose_projects.PROJECT_LABEL: project})
    Path(os.environ["READY_FILE"]).write_text("up")
    time.sleep(600)


def test_nothing():
    pass
'''


@pytest.fixture(scope="module")
def image() -> str:
    return es.small_image()


def _containers(project: str) -> list[dict]:
    return engine.list_containers(f"{compose_projects.PROJECT_LABEL}={project}", include_stopped=True)


@pytest.fixture
def users_container(image):
    """A container of a project this run did not register, as a user's own lab would be."""
    project = f"users-lab-{uuid.uuid4().hex[:8]}"
    with engine.client() as sdk:
        container = sdk.containers.run(image, ["sleep", "600"], detach=True,
                                       labels={compose_projects.PROJECT_LABEL: project})
    yield project
    with engine.client() as sdk:
        sdk.containers.get(container.id).remove(force=True)


def _session_with_a_project(folder: Path, image: str, *args: str):
    project = f"clickstream-lab-cleanup-{uuid.uuid4().hex[:8]}"
    ready = folder / "ready"
    session = inner.start(folder, INNER_TESTS, *args,
                          env={"PROJECT": project, "IMAGE": image, "READY_FILE": str(ready)})
    wait_for(lambda: ready.exists(), timeout=180, what="the inner session's project")
    assert len(_containers(project)) == 1
    return session, project


def _cleanup(session, project: str) -> None:
    session.kill()
    compose_projects.remove({"project": project})
    compose_projects.release(project)


@pytest.mark.parametrize("workers", [["-p", "no:xdist"], ["-n", "1"]], ids=["one process", "xdist"])
def test_sigterm_part_way_removes_the_runs_project(tmp_path, image, users_container, workers):
    session, project = _session_with_a_project(tmp_path, image, *workers, "-k", "brings_up")
    try:
        session.send_signal(signal.SIGTERM)
        session.wait(timeout=120)
        wait_for(lambda: not _containers(project), timeout=60, what=f"no container left of {project}")
        assert project not in {e["project"] for e in compose_projects.entries()}
        assert len(_containers(users_container)) == 1, "a project the run did not register was touched"
    finally:
        _cleanup(session, project)


def test_after_sigkill_the_next_session_removes_the_project(tmp_path, image, users_container):
    session, project = _session_with_a_project(tmp_path, image, "-p", "no:xdist", "-k", "brings_up")
    try:
        session.kill()   # SIGKILL: no handler runs
        session.wait(timeout=60)
        assert len(_containers(project)) == 1, "the project outlives a killed session"
        next_dir = tmp_path / "next"
        next_dir.mkdir()
        nxt = inner.start(next_dir, INNER_TESTS, "-p", "no:xdist", "-k", "nothing")
        output = nxt.communicate(timeout=180)[0].decode()
        assert nxt.returncode == 0, output
        assert not _containers(project), output
        assert len(_containers(users_container)) == 1, "a project the run did not register was touched"
    finally:
        _cleanup(session, project)
