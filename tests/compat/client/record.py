"""The record of one client run: each API call made, in order, with its outcome.

Runs inside a scratch venv (any boto3 from 1.40 on, stdlib only besides boto3). A scenario
is a chain of calls; the first call that fails (an exception, or an answer that is not what
AWS's API reference says) ends its scenario, and the calls it did not reach are not listed,
so a reader sees exactly which operation broke.
"""
from __future__ import annotations

import traceback
from collections.abc import Callable
from contextlib import contextmanager


class CheckFailed(AssertionError):
    """An answer that parsed but is not the one expected."""


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise CheckFailed(message)


class ScenarioStopped(Exception):
    """Raised inside a scenario after its first failing call."""


class Record:
    def __init__(self) -> None:
        self.calls: list[dict] = []

    def call(self, service: str, operation: str, fn: Callable[[], object],
             check: Callable[[object], bool] | None = None, what: str = "") -> object:
        """fn()'s result; a failure (or an answer for which `check` is false: `what` says what
        was expected) is recorded and stops the scenario."""
        try:
            result = fn()
            if check is not None and not check(result):
                raise CheckFailed(f"expected {what}; got {str(result)[:300]}")
        except Exception as exc:
            self.calls.append({"service": service, "operation": operation, "ok": False,
                               "error": f"{type(exc).__name__}: {exc}"[:600]})
            raise ScenarioStopped from exc
        self.calls.append({"service": service, "operation": operation, "ok": True})
        return result

    def fails_with(self, service: str, operation: str, fn: Callable[[], object], code: str,
                   message_part: str = "") -> None:
        """A call that must fail with a client error: HTTP 400, `code`, `message_part` in the message."""
        def failing():
            try:
                fn()
            except Exception as exc:
                response = getattr(exc, "response", None)
                if not response:
                    raise
                status = response["ResponseMetadata"]["HTTPStatusCode"]
                error = response.get("Error", {})
                expect(status == 400 and error.get("Code") == code
                       and message_part in error.get("Message", ""),
                       f"expected 400 {code} ({message_part!r}), got {status} {error}")
                return
            raise CheckFailed(f"succeeded; 400 {code} was expected")
        self.call(service, operation, failing)

    @contextmanager
    def scenario(self, name: str):
        try:
            yield
        except ScenarioStopped:
            pass
        except Exception:  # noqa: BLE001 - a scenario's own failure is recorded, the run goes on
            self.calls.append({"service": name, "operation": "(scenario)", "ok": False,
                               "error": traceback.format_exc(limit=3)[-600:]})
