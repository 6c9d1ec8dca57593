"""Servers a test run starts end with the run, however it ends (tests/support/processes.py): a
small pytest session in a subprocess starts a server and a daemon (its parent gone, in a
session of its own, as supervisord is), and is then ended part-way. SIGTERM: the session ends
them itself, with and without xdist, and when it runs under `make test` and only make gets the
signal (as a CI runner that stops the job sends it). SIGKILL: nothing of it runs, so the next
session's reaper ends them at its start."""
from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import psutil
import pytest

from tests.support import inner_session as inner
from tests.support.waiting import wait_for

pytestmark = pytest.mark.fault

INNER_TESTS = '''
import os, subprocess, sys, time
from pathlib import Path

DAEMON = ("import subprocess, sys; p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'], "
          "start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); print(p.pid)")


def test_serves_until_it_is_stopped():
    server = subprocess.Popen([sys.executable, "-m", "http.server", "0", "--bind", "127.0.0.1"],
                              start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    daemon = int(subprocess.run([sys.executable, "-c", DAEMON], capture_output=True, text=True, check=True).stdout)
    Path(os.environ["PIDS_FILE"]).write_text(f"{server.pid} {daemon}")
    time.sleep(600)


def test_nothing():
    pass
'''


def inner_session(tmp_path: Path, *args: str) -> subprocess.Popen:
    return inner.start(tmp_path, INNER_TESTS, *args, env={"PIDS_FILE": str(tmp_path / "pids")})


def started(tmp_path: Path) -> list[int]:
    pids = tmp_path / "pids"
    text = wait_for(lambda: pids.exists() and pids.read_text(), timeout=120, what="the inner session's servers")
    return [int(pid) for pid in text.split()]


def running(pids: list[int]) -> list[int]:
    alive = []
    for pid in pids:
        try:
            if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                alive.append(pid)
        except psutil.NoSuchProcess:
            pass
    return alive


def kill(pids: list[int]) -> None:
    """What a failing test would leave behind: ended here, so this test leaves nothing."""
    for pid in running(pids):
        os.kill(pid, signal.SIGKILL)


@pytest.mark.parametrize("workers", [["-p", "no:xdist"], ["-n", "1"]], ids=["one process", "xdist"])
def test_sigterm_part_way_leaves_no_process(tmp_path, workers):
    session = inner_session(tmp_path, *workers, "-k", "serves")
    pids = []
    try:
        pids = started(tmp_path)
        assert running(pids) == pids
        session.send_signal(signal.SIGTERM)
        session.wait(timeout=120)
        wait_for(lambda: not running(pids), timeout=60, what=f"no process left of {pids}")
    finally:
        session.kill()
        kill(pids)


def test_after_sigkill_the_next_session_ends_the_leftovers(tmp_path):
    session = inner_session(tmp_path, "-p", "no:xdist", "-k", "serves")
    pids = []
    try:
        pids = started(tmp_path)
        session.kill()   # SIGKILL: no handler runs
        session.wait(timeout=60)
        assert running(pids) == pids, "the servers outlive a killed session"
        next_dir = tmp_path / "next"
        next_dir.mkdir()
        nxt = inner_session(next_dir, "-p", "no:xdist", "-k", "nothing")
        output = nxt.communicate(timeout=120)[0].decode()
        assert nxt.returncode == 0, output
        wait_for(lambda: not running(pids), timeout=60, what=f"the reaper to end {pids}")
    finally:
        session.kill()
        kill(pids)


def test_sigterm_to_make_test_reaches_pytest(tmp_path):
    """make passes a SIGTERM to its recipe's shell only: the recipe passes it on to pytest
    (before, pytest ran on with the whole suite and its servers after make had gone)."""
    args = " ".join([*inner.write(tmp_path, INNER_TESTS), "-k", "serves", str(tmp_path)])
    env = {**os.environ, "PIDS_FILE": str(tmp_path / "pids"), "LAB_STATE_DIR": str(tmp_path / "state")}
    make = subprocess.Popen(["make", "--no-print-directory", "test", "TEST_WORKERS=0", f"PYTEST_ARGS={args}"],
                            cwd=inner.REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    pids = []
    try:
        pids = started(tmp_path)
        pytest_pids = [p.pid for p in psutil.Process(make.pid).children(recursive=True)
                       if "pytest" in " ".join(p.cmdline())]
        assert pytest_pids, "pytest runs under make"
        make.send_signal(signal.SIGTERM)
        output = make.communicate(timeout=120)[0].decode()
        assert make.returncode != 0, output
        wait_for(lambda: not running(pids + pytest_pids), timeout=60,
                 what=f"no process left of pytest {pytest_pids} and its servers {pids}")
    finally:
        make.kill()
        kill(pids)
