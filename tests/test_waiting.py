"""The tests' one wait helper (tests/support/waiting.py)."""
import pytest

from tests.support.waiting import wait_for

pytestmark = pytest.mark.unit


def test_returns_the_first_truthy_value():
    values = iter([0, None, [], "ready"])
    assert wait_for(lambda: next(values), timeout=5, interval=0.01) == "ready"


def test_fails_naming_what_and_the_last_value():
    with pytest.raises(AssertionError, match=r"waiting for the answer; last=0"):
        wait_for(lambda: 0, timeout=0.2, interval=0.05, what="the answer")
