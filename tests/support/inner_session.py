"""A small pytest session in a subprocess, for the tests of what a run leaves behind when it
is ended part-way (tests/test_process_cleanup.py, tests/compose/test_project_cleanup.py): its
tests and conftest are written to a folder, and it runs with the lab's test plugins on the
path, so it tags, owns and ends what it starts as `make test` does."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CONFTEST = 'pytest_plugins = ["tests.support.processes"]\n'


def write(folder: Path, tests: str) -> list[str]:
    """Write the session's files into `folder`; the pytest arguments that run them."""
    (folder / "conftest.py").write_text(CONFTEST)
    (folder / "test_inner.py").write_text(tests)
    (folder / "pytest.ini").write_text("[pytest]\n")
    return ["-q", "-p", "no:cacheprovider", "-c", str(folder / "pytest.ini"), "--rootdir", str(folder)]


def start(folder: Path, tests: str, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen:
    """Start pytest over `tests` (the text of its one test module) in `folder`."""
    options = write(folder, tests)
    environment = {**os.environ, "PYTHONPATH": str(REPO), **(env or {})}
    return subprocess.Popen([sys.executable, "-m", "pytest", *options, *args, str(folder)],
                            cwd=folder, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
