"""The heavy servers tests share within a worker (Trino's lab, an OpenSearch node): started
by the first test that needs one, kept while the next tests need it, stopped as soon as the
next test does not, and started again if a later file asks.

A session-long server would hold its memory (about a GB for Trino's lab, 700 MB for an
OpenSearch node) in every xdist worker until the end of the run; two runs on one machine
then run out of memory. tests/conftest.py declares them and releases the idle ones after
each test (pytest_runtest_teardown); a folder's conftest declares its own with `shared()`
from a module-scoped fixture."""
from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any

import pytest


@dataclass
class SharedServer:
    """One server: `start` returns a context manager whose value the tests use."""
    name: str
    start: Callable[[], AbstractContextManager]
    # Tests that use the server without naming its fixture (a fixture that asks for it
    # with request.getfixturevalue, depending on a parameter).
    used_by: Callable[[pytest.Item], bool] = lambda item: False
    _running: AbstractContextManager | None = field(default=None, repr=False)
    _value: Any = field(default=None, repr=False)

    def get(self) -> Any:
        if self._running is None:
            running = self.start()
            self._value = running.__enter__()
            self._running = running
        return self._value

    def needed_by(self, item: pytest.Item | None) -> bool:
        return item is not None and (self.name in item.fixturenames or self.used_by(item))

    def release(self) -> None:
        running, self._running, self._value = self._running, None, None
        if running is not None:
            running.__exit__(None, None, None)

    @property
    def running(self) -> bool:
        return self._running is not None


def release_idle(servers: list[SharedServer], item: pytest.Item, nextitem: pytest.Item | None) -> None:
    """At the end of a test file (the fixtures are module-scoped, so a file keeps what it
    got), stops every running server the next test does not need; all of them at the end."""
    if nextitem is not None and nextitem.module is item.module:
        return
    for server in servers:
        if server.running and not server.needed_by(nextitem):
            server.release()


SHARED: dict[str, SharedServer] = {}


def shared(name: str, start: Callable[[], AbstractContextManager],
           used_by: Callable[[pytest.Item], bool] = lambda item: False) -> SharedServer:
    """The worker's server of this name (its fixture's name), declared on first use."""
    if name not in SHARED:
        SHARED[name] = SharedServer(name, start, used_by)
    return SHARED[name]
