"""The one way the tests wait for something to become true: labctl's wait_until
(services/lab/labctl/waiting.py), failing the test when the time is up.

A deadline says how long something may take, not how fast it must be (speed is `make
bench`'s). On a loaded machine (another suite, a build) everything takes longer without
being wrong, so deadlines stretch with the machine's load: `scaled(timeout)` multiplies by
the last minute's load average per CPU, between 1 (idle: unchanged) and MAX_STRETCH."""
from __future__ import annotations

import os
from collections.abc import Callable
from typing import TypeVar

import pytest
from labctl.errors import LabTimeout
from labctl.waiting import wait_until

T = TypeVar("T")
MAX_STRETCH = 4.0


def scaled(timeout: float) -> float:
    """`timeout` stretched by the machine's load (1x when idle, at most MAX_STRETCH)."""
    load_per_cpu = os.getloadavg()[0] / (os.cpu_count() or 1)
    return timeout * min(MAX_STRETCH, max(1.0, load_per_cpu))


def wait_for(condition: Callable[[], T], timeout: float = 60, interval: float = 0.5,
             what: str = "") -> T:
    """Poll `condition` until it returns something truthy and return that; after `timeout`
    seconds (scaled by the load) fail with an AssertionError naming `what` and the last value seen."""
    try:
        return wait_until(condition, scaled(timeout), interval, what)
    except LabTimeout as error:
        raise AssertionError(str(error)) from None


_BASE_LIMIT = pytest.StashKey[float]()


def stretch_test_timeout(item) -> float | None:
    """pytest-timeout's limit for one test (its `timeout` mark, else the ini's), stretched
    like every other deadline here, and put on the test as its closest mark. Without it the
    600 s of a test whose own waits are scaled ends the test first on a loaded machine.
    The base is kept, so that stretching again starts from it, not from a stretched mark."""
    if _BASE_LIMIT not in item.stash:
        marker = item.get_closest_marker("timeout")
        base = None
        if marker is not None:
            base = marker.args[0] if marker.args else marker.kwargs.get("timeout")
        if base is None:
            base = item.config.getoption("timeout", None) or item.config.getini("timeout")
        item.stash[_BASE_LIMIT] = float(base or 0)
    base = item.stash[_BASE_LIMIT]
    if base <= 0:
        return None
    limit = round(scaled(base))
    item.add_marker(pytest.mark.timeout(limit), append=False)
    return limit
