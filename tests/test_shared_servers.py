"""The shared servers' lifetime (tests/support/shared_servers.py) in a real pytest session
over a planted tree: a server starts at the first file that needs it, is kept across the
files that follow while they need it, stops at the end of the last one, and starts again
for a later file; one used through a parameter (as tests/athena's engine `trino`) counts."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parents[1]

CONFTEST = '''
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.support.shared_servers import SharedServer, release_idle

LOG = Path(__file__).with_name("events.log")


@contextmanager
def server():
    with LOG.open("a") as fh:
        fh.write("start\\n")
    yield "value"
    with LOG.open("a") as fh:
        fh.write("stop\\n")


def _by_param(item):
    callspec = getattr(item, "callspec", None)
    return callspec is not None and callspec.params.get("engine") == "on"


SHARED = SharedServer("shared", server, _by_param)


@pytest.fixture(scope="module")
def shared():
    return SHARED.get()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    yield
    with LOG.open("a") as fh:
        fh.write(f"after {item.name}\\n")
    release_idle([SHARED], item, nextitem)
'''

FILES = {
    "test_a.py": "def test_a1(shared):\n    pass\n\n\ndef test_a2():\n    pass\n",
    "test_b.py": "def test_b1(shared):\n    pass\n",
    "test_c.py": "def test_c1():\n    pass\n",
    "test_d.py": ("import pytest\n\n\n@pytest.fixture(scope='module', params=['off', 'on'])\ndef engine(request):\n"
                  "    if request.param == 'on':\n        request.getfixturevalue('shared')\n    return request.param\n\n\n"
                  "def test_d1(engine):\n    pass\n"),
}


def test_servers_live_while_consecutive_files_need_them(tmp_path):
    (tmp_path / "conftest.py").write_text(CONFTEST)
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    for name, body in FILES.items():
        (tmp_path / name).write_text(body)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
                          str(tmp_path)], check=False, cwd=tmp_path, env=env, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    events = (tmp_path / "events.log").read_text().splitlines()
    assert events == [
        "start", "after test_a1", "after test_a2",         # a2 needs nothing, but a file keeps what it got
        "after test_b1", "stop",                          # b1 needed it too: kept; c1 does not: stopped
        "after test_c1",
        "after test_d1[off]", "start", "after test_d1[on]", "stop",   # through the parameter
    ]
