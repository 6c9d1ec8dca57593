"""Fixtures of the compose suites: the compose file as Compose reads it, raw, and .env;
and the end-to-end suites' notes (engine, stand-ins) in pytest's summary."""
from __future__ import annotations

import time

import pytest

from tests.compose import compose_checks as cc


@pytest.fixture(scope="module")
def env_file() -> dict[str, str]:
    return cc.read_env_file()


@pytest.fixture(scope="module")
def config() -> dict:
    """`docker-compose config` with no LAB_* variable set: .env's defaults."""
    parsed, _ = cc.compose_config()
    return parsed


@pytest.fixture(scope="module")
def services(config) -> dict:
    return config["services"]


@pytest.fixture(scope="module")
def raw() -> dict:
    return cc.raw_compose()


def pytest_terminal_summary(terminalreporter):
    from tests.compose import engine_support

    if hasattr(terminalreporter.config, "workerinput"):
        return  # a pytest-xdist worker: the controller prints the summary
    for line in engine_support.take_notes():
        terminalreporter.write_line(line)



@pytest.fixture(scope="module", autouse=True)
def one_engine_suite_at_a_time(request):
    """The suites marked `docker` share one engine and its image store (builds, a 100-container
    stress run, two compose projects): under pytest-xdist they take turns, a module at a time,
    through a lock file. Other modules pass straight through."""
    if not request.node.get_closest_marker("docker"):
        yield
        return
    import fcntl

    from tests.compose import engine_support

    engine_support.LOG_DIR.mkdir(parents=True, exist_ok=True)
    with open(engine_support.LOG_DIR / "engine.lock", "w") as lock:
        deadline = time.monotonic() + engine_support.ENGINE_TURN_WAIT_S
        while True:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    pytest.fail(f"another engine suite held the engine for {engine_support.ENGINE_TURN_WAIT_S} s")
                time.sleep(1)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
