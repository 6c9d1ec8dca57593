"""A real host Apache serving the shop, for tests and benchmarks.

Started with the project's configuration (labctl.apache_host) on a free
127.0.0.1 port, with its state (logs, pid file, rendered config) in a
temporary directory, and stopped afterwards.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from pathlib import Path

from labctl import apache_host
from labctl.preflight import free_port


@contextlib.contextmanager
def running_apache(state_dir: Path) -> Iterator[apache_host.ApacheHostConfig]:
    cfg = apache_host.ApacheHostConfig(port=free_port(), state_dir=state_dir, timezone="UTC")
    apache_host.start(cfg)
    try:
        yield cfg
    finally:
        apache_host.stop(cfg)


def wait_for_lines(log: Path, count: int, timeout: float = 30.0) -> list[str]:
    """The access log's lines once it has at least `count` of them.

    Apache writes a request's line just after answering it, so a client can be
    a moment ahead of the log. The timeout only guards against a hang.
    """
    deadline = time.monotonic() + timeout
    while True:
        lines = log.read_bytes().decode("latin-1").splitlines(keepends=True) if log.exists() else []
        if len(lines) >= count or time.monotonic() > deadline:
            return lines
        time.sleep(0.05)


def lines_by_user_agent(log: Path, agents: list[str], timeout: float = 30.0) -> dict[str, str]:
    """The log line of each request sent with one of these (unique) user agents.

    Lines of concurrent or successive connections may be written in any order,
    so tests find their requests' lines by a marker rather than by position.
    """
    deadline = time.monotonic() + timeout
    while True:
        found = {}
        for line in wait_for_lines(log, 0):
            for agent in agents:
                if f'" "{agent}" "' in line:
                    found[agent] = line
        if len(found) == len(agents) or time.monotonic() > deadline:
            return found
        time.sleep(0.05)
