"""Servers a test run starts end with the run, however it ends: one place owns them.

Every process a test session starts inherits two environment variables, set here before the
first test: LAB_TEST_RUN (one id per run, shared by pytest-xdist's workers) and
LAB_TEST_OWNER (the pid of the pytest process, controller or worker, that started it). The
environment survives what a pid file would miss: supervisord daemonising, LocalStack starting
kinesis-mock, a Lambda runtime, a process group of its own. So the tagged processes are the
registry (read from /proc/<pid>/environ through psutil), and:

- at session start (the controller, or a run without xdist) the reaper ends every tagged
  process whose owner is gone: the leftovers of an earlier run killed by a time-out;
- at session finish, at exit and on SIGTERM/SIGHUP each pytest process ends what it owns,
  and the controller everything of its run (its workers, and what they started);

each with its descendants (a child that set up its own environment is still a descendant),
SIGTERM first, SIGKILL after a grace period. Processes that exit while they are inspected
are skipped (psutil.NoSuchProcess), never an error. The run's compose projects (containers
the engine runs, not processes of the run) end alongside: tests/support/compose_projects.py.
"""
from __future__ import annotations

import atexit
import logging
import os
import signal
import uuid
from collections.abc import Iterator

import psutil
import pytest

from tests.support import compose_projects

LOG = logging.getLogger(__name__)
RUN_VAR = "LAB_TEST_RUN"
OWNER_VAR = "LAB_TEST_OWNER"
GRACE_S = 5.0


def _tag(process: psutil.Process) -> tuple[str, int] | None:
    """(run id, owner pid) of a tagged process; None for any other (or one that is gone)."""
    try:
        env = process.environ()
    except (psutil.Error, OSError):
        return None
    if RUN_VAR not in env or OWNER_VAR not in env:
        return None
    try:
        return env[RUN_VAR], int(env[OWNER_VAR])
    except ValueError:
        return None


def _alive_since(pid: int, process: psutil.Process) -> bool:
    """Whether `pid` is a live process that was there before `process` (not a reused pid)."""
    try:
        return psutil.Process(pid).create_time() <= process.create_time()
    except psutil.Error:
        return False


def tagged() -> Iterator[tuple[psutil.Process, str, int]]:
    """Every tagged process: (process, run id, owner pid)."""
    for process in psutil.process_iter():
        tag = _tag(process)
        if tag is not None:
            yield process, *tag


def _protected() -> set[int]:
    """This process and its ancestors (a session never ends the pytest that runs it)."""
    me = psutil.Process()
    try:
        return {me.pid, *(p.pid for p in me.parents())}
    except psutil.Error:
        return {me.pid}


def end(processes: list[psutil.Process]) -> list[int]:
    """End `processes` and their descendants (SIGTERM, then SIGKILL); their pids."""
    protected = _protected()
    victims: dict[int, psutil.Process] = {}
    for process in processes:
        try:
            family = [process, *process.children(recursive=True)]
        except psutil.Error:
            family = [process]
        victims.update({p.pid: p for p in family if p.pid not in protected})
    for process in victims.values():
        try:
            process.terminate()
        except psutil.Error:
            pass
    _gone, alive = psutil.wait_procs(list(victims.values()), timeout=GRACE_S)
    for process in alive:
        try:
            process.kill()
        except psutil.Error:
            pass
    psutil.wait_procs(alive, timeout=GRACE_S)
    return sorted(victims)


def leftovers() -> list[psutil.Process]:
    """Tagged processes whose owner is gone (of this run or of an earlier one)."""
    return [p for p, _run, owner in tagged() if not _alive_since(owner, p)]


def owned(run: str, pid: int, controller: bool) -> list[psutil.Process]:
    """What pytest process `pid` started; for the run's controller, everything of run `run`
    (its workers, and what they started)."""
    return [p for p, tag_run, owner in tagged() if owner == pid or (controller and tag_run == run)]


def reap() -> list[int]:
    """End the leftovers of earlier runs; the pids ended."""
    ended = end(leftovers())
    if ended:
        LOG.warning("ended %d processes an earlier test run left behind: %s", len(ended), ended)
    return ended


_controller = True


def end_mine() -> list[int]:
    """End what this pytest process owns (see `owned`); the pids ended."""
    return end(owned(os.environ.get(RUN_VAR, ""), os.getpid(), _controller))


def end_run_projects() -> None:
    """The controller ends its run's compose projects (tests/support/compose_projects.py)."""
    if _controller:
        compose_projects.end_run(os.environ.get(RUN_VAR, ""))


def _on_signal(signum, _frame):
    end_mine()
    end_run_projects()
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)


def pytest_configure(config) -> None:
    global _controller
    _controller = not hasattr(config, "workerinput")
    if _controller:   # a new run, even inside another's (a test that runs pytest)
        os.environ[RUN_VAR] = uuid.uuid4().hex
    os.environ[OWNER_VAR] = str(os.getpid())
    atexit.register(end_mine)
    atexit.register(end_run_projects)
    for signum in (signal.SIGTERM, signal.SIGHUP):
        if signal.getsignal(signum) in (signal.SIG_DFL, None):
            signal.signal(signum, _on_signal)


def pytest_sessionstart(session) -> None:
    if _controller:   # once per run
        reap()
        compose_projects.reap()


@pytest.hookimpl(trylast=True)   # after xdist has stopped its workers
def pytest_sessionfinish(session, exitstatus) -> None:
    end_mine()
    end_run_projects()
