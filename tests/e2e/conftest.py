"""Fixtures of the end-to-end suite: one native lab per test module."""
from __future__ import annotations

import pytest

from tests.support.native_lab import NativeLab, print_reports


@pytest.fixture(scope="module")
def lab(tmp_path_factory) -> NativeLab:
    """The whole native lab on free ports: 1 s buffer interval, RetryDuration 10 s, GeoIP on
    with the lab's default database, as `make up` sets it up."""
    running = NativeLab.start(tmp_path_factory.mktemp("e2e-lab"), geoip=True)
    try:
        yield running
    finally:
        running.stop()


def pytest_terminal_summary(terminalreporter):
    print_reports(terminalreporter, "e2e")
