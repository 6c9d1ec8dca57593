"""The one way the tests wait for something to become true: labctl's wait_until
(services/lab/labctl/waiting.py), failing the test when the time is up."""
from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from labctl.errors import LabTimeout
from labctl.waiting import wait_until

T = TypeVar("T")


def wait_for(condition: Callable[[], T], timeout: float = 60, interval: float = 0.5,
             what: str = "") -> T:
    """Poll `condition` until it returns something truthy and return that; after `timeout`
    seconds fail with an AssertionError naming `what` and the last value seen."""
    try:
        return wait_until(condition, timeout, interval, what)
    except LabTimeout as error:
        raise AssertionError(str(error)) from None
