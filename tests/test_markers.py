"""The marker rules (tests/support/markers.py) can fail: a pytest session over a planted tree,
whose tests break them, stops at collection naming each offender, and passes once they are
marked right. The suite's own collection runs the same check (tests/conftest.py)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parents[1]

CONFTEST = '''
import pytest
from tests.support.markers import check_markers


def pytest_collection_modifyitems(config, items):
    check_markers(items)


class LocalStackInstance:
    def __init__(self, *args):
        raise AssertionError("never started: collection only")


@pytest.fixture
def lab_stack(tmp_path):
    yield LocalStackInstance(tmp_path)


@pytest.fixture
def built_on_it(lab_stack):
    return lab_stack
'''


# The planted tests live outside the test functions: a function whose source names a
# starter counts as starting LocalStack.
BROKEN = '''
def test_unmarked():
    pass


@pytest.mark.unit
def test_through_a_fixture(built_on_it):
    pass


@pytest.mark.unit
def test_starts_it_itself(tmp_path):
    LocalStackInstance(tmp_path)


@pytest.mark.unit
def test_pure():
    pass
'''

RIGHT = '''
@pytest.mark.localstack
def test_through_a_fixture(built_on_it):
    pass


@pytest.mark.unit
def test_pure():
    pass
'''


def collect(tree: Path, tests: str) -> subprocess.CompletedProcess:
    (tree / "conftest.py").write_text(CONFTEST)
    (tree / "pytest.ini").write_text("[pytest]\nmarkers =\n  unit: u\n  localstack: l\n")
    (tree / "test_planted.py").write_text("import pytest\n\n" + tests)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    return subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
                           "-p", "no:xdist", "-c", str(tree / "pytest.ini"), "--rootdir", str(tree), str(tree)],
                          check=False, cwd=tree, env=env, capture_output=True, text=True, timeout=120)


def test_an_unmarked_test_and_a_unit_test_that_starts_localstack_fail_collection(tmp_path):
    result = collect(tmp_path, BROKEN)
    out = result.stdout + result.stderr
    assert result.returncode != 0, out
    assert "test_planted.py::test_unmarked: no category marker" in out
    assert "test_planted.py::test_through_a_fixture: marked unit but starts LocalStack" in out
    assert "test_planted.py::test_starts_it_itself: marked unit but starts LocalStack" in out
    assert "test_pure:" not in out


def test_marked_right_collects(tmp_path):
    result = collect(tmp_path, RIGHT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 tests collected" in result.stdout
