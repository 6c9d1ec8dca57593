"""Fixtures of the compose suites: the compose file as Compose reads it, raw, and .env;
and the end-to-end suites' notes (engine, stand-ins) in pytest's summary."""
from __future__ import annotations

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

