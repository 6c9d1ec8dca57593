"""The lab's one way to wait for something: `wait_until(condition, ...)`.

It polls `condition` at a fixed interval (or, with `then_every`, at `interval` for the first
second and at `then_every` after it) until it returns something truthy, and returns that.
A condition that knows the wait is hopeless (a process died, a service failed) raises, and
the error goes to the caller at once; exceptions listed in `retry_on` count as "not yet"
(a server still starting refuses connections). When the time is up it raises LabTimeout
naming what was awaited and the last value or error seen. tests/support/waiting.py's
`wait_for` is this, failing the test instead.

Not used by labctl.apache_host, which must run on a bare system Python (stdlib only).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from tenacity import (
    RetryError,
    Retrying,
    retry_if_exception_type,
    retry_if_result,
    stop_after_delay,
    wait_chain,
    wait_fixed,
)

from labctl.errors import LabTimeout

T = TypeVar("T")


def wait_until(condition: Callable[[], T], timeout: float = 60, interval: float = 0.5, what: str = "",
               retry_on: tuple[type[BaseException], ...] = (), then_every: float | None = None) -> T:
    """Poll `condition` every `interval` s until it returns something truthy and return that;
    after `timeout` s raise LabTimeout naming `what` and the last value (or error) seen."""
    retry = retry_if_result(lambda value: not value)
    if retry_on:
        retry = retry | retry_if_exception_type(retry_on)
    wait = wait_fixed(interval) if then_every is None else \
        wait_chain(*[wait_fixed(interval)] * max(1, round(1 / interval)), wait_fixed(then_every))
    attempts = Retrying(stop=stop_after_delay(timeout), wait=wait, retry=retry)
    try:
        return attempts(condition)
    except RetryError as error:
        last_attempt = error.last_attempt
        last = last_attempt.exception() if last_attempt.failed else last_attempt.result()
        raise LabTimeout(f"timed out after {timeout}s waiting for {what or condition}; last={last!r}",
                         last) from None
