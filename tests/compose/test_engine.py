"""labctl.engine, the lab's one way to the container engine's API, on the engine
`make test` starts (podman serving the Docker API on machines without Docker):
short containers never hang, every call ends within its limit with an error that
names the call and the container (issue 22).

The stress test's counterpart with the Docker SDK's own `containers.run()` is
`python -m tests.compose.engine_stress --way sdk-run` (it hangs about 1 call in
10 on podman 4.3; the README's compose section says why).
"""
from __future__ import annotations

import os
import time

import pytest
from labctl import engine

from tests.compose import engine_stress
from tests.compose import engine_support as es

# The first test waits for its turn on the engine (tests/compose/conftest.py) within its limit.
pytestmark = [pytest.mark.docker, pytest.mark.timeout(es.ENGINE_TURN_WAIT_S + 600)]

STRESS_COUNT = 100
CALL_LIMIT_S = 30.0


@pytest.fixture(scope="module")
def image() -> str:
    return es.small_image()


def _mine() -> set[str]:
    """The containers this process made through engine.run() that are still there."""
    return {c["Id"] for c in engine.list_containers(f"{engine.RUN_BY_LABEL}={os.getpid()}", include_stopped=True)}


@pytest.fixture
def leftovers():
    """This process's containers made during the test and still there: the engine's storage is
    shared by every run on the machine, so one a concurrent run makes is not this test's."""
    before = _mine()
    return lambda: sorted(_mine() - before)


def test_100_short_containers_in_a_row_through_the_lab_helper_none_hangs(image, leftovers):
    result = engine_stress.stress("lab", image, STRESS_COUNT, limit_s=CALL_LIMIT_S)
    print(es.note(f"engine stress: {result.row()}"))
    assert not result.hung and not result.failed, result.hung + result.failed
    assert leftovers() == []


def test_run_returns_the_exit_code_and_each_stream(image):
    result = engine.run(image, ["sh", "-c", "echo out; echo err >&2; exit 3"], timeout=60)
    assert result == engine.RunResult(3, b"out\n", b"err\n")


def test_a_container_that_outlives_its_limit_is_removed_and_named(image, leftovers):
    started = time.monotonic()
    with pytest.raises(engine.EngineError, match=r"container \w+ of .* did not exit within 3s"):
        engine.run(image, ["sleep", "120"], timeout=3)
    assert time.monotonic() - started < 3 + 5 + CALL_LIMIT_S  # wait's limit + margin + the removal
    assert leftovers() == []


def test_50_execs_in_a_running_container_none_hangs(image):
    with engine.client() as sdk:
        container = sdk.containers.create(image, ["sleep", "300"], detach=True, labels={engine.RUN_LABEL: "true"})
    try:
        with engine.client() as sdk:
            engine.bounded("start", container.short_id, sdk.containers.get(container.id).start)
        answers = [engine.exec_output(container.id, ["echo", str(i)], timeout=CALL_LIMIT_S) for i in range(50)]
    finally:
        with engine.client() as sdk:
            engine.bounded("remove", container.short_id, lambda: sdk.containers.get(container.id).remove(force=True))
    assert answers == [(0, f"{i}\n".encode()) for i in range(50)]
