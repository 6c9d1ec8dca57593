"""The one way the tests wait for something to become true."""
from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from tenacity import RetryError, Retrying, retry_if_result, stop_after_delay, wait_fixed

T = TypeVar("T")


def wait_for(condition: Callable[[], T], timeout: float = 60, interval: float = 0.5,
             what: str = "") -> T:
    """Poll `condition` until it returns something truthy and return that; after `timeout`
    seconds fail with an AssertionError naming `what` and the last value seen."""
    attempts = Retrying(stop=stop_after_delay(timeout), wait=wait_fixed(interval),
                        retry=retry_if_result(lambda value: not value))
    try:
        return attempts(condition)
    except RetryError as error:
        last = error.last_attempt.result()
        raise AssertionError(f"timed out after {timeout}s waiting for {what or condition}; "
                             f"last={last!r}") from None
