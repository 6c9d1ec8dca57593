"""The tests' one wait helper (tests/support/waiting.py)."""
import os

import pytest

from tests.support.waiting import MAX_STRETCH, stretch_test_timeout, wait_for

pytestmark = pytest.mark.unit


def test_returns_the_first_truthy_value():
    values = iter([0, None, [], "ready"])
    assert wait_for(lambda: next(values), timeout=5, interval=0.01) == "ready"


def test_fails_naming_what_and_the_last_value():
    with pytest.raises(AssertionError, match=r"waiting for the answer; last=0"):
        wait_for(lambda: 0, timeout=0.2, interval=0.05, what="the answer")


@pytest.mark.timeout(100)
def test_a_tests_time_limit_stretches_with_the_load(request, monkeypatch):
    monkeypatch.setattr("os.getloadavg", lambda: (3.0 * (os.cpu_count() or 1), 0.0, 0.0))
    assert stretch_test_timeout(request.node) == 300
    assert request.node.get_closest_marker("timeout").args == (300,)


def test_the_ini_limit_is_the_base_without_a_mark(request, monkeypatch):
    monkeypatch.setattr("os.getloadavg", lambda: (0.0, 0.0, 0.0))
    ini = float(request.config.getini("timeout"))
    assert ini > 0, "pyproject.toml sets pytest-timeout's limit"
    assert stretch_test_timeout(request.node) == round(ini)
    monkeypatch.setattr("os.getloadavg", lambda: (100.0 * (os.cpu_count() or 1), 0.0, 0.0))
    assert stretch_test_timeout(request.node) == round(ini * MAX_STRETCH)
