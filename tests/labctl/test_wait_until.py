"""labctl's one wait (labctl.waiting.wait_until): what counts as "not yet", what ends the wait
at once, and what a time-out says."""
from __future__ import annotations

import pytest
from labctl.errors import LabError, LabStartError, LabTimeout
from labctl.waiting import wait_until

pytestmark = pytest.mark.unit


def answers(*outcomes):
    """A condition that gives these outcomes in turn (an exception instance is raised)."""
    pending = list(outcomes)
    calls = []

    def condition():
        calls.append(1)
        outcome = pending.pop(0)
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome
    condition.calls = calls
    return condition


def test_an_error_listed_in_retry_on_means_not_yet():
    condition = answers(ConnectionError("refused"), None, "ready")
    assert wait_until(condition, timeout=5, interval=0.01, retry_on=(ConnectionError,)) == "ready"
    assert len(condition.calls) == 3


def test_any_other_error_ends_the_wait_at_once():
    condition = answers(LabStartError("LocalStack exited with code 1"), "never asked")
    with pytest.raises(LabStartError, match="exited with code 1"):
        wait_until(condition, timeout=5, interval=0.01, retry_on=(ConnectionError,))
    assert len(condition.calls) == 1


def test_a_time_out_is_a_lab_error_and_a_timeout_error_naming_the_last_error():
    with pytest.raises(LabTimeout) as raised:
        wait_until(answers(*[ConnectionError("refused")] * 100), timeout=0.1, interval=0.01,
                   what="OpenSearch to answer", retry_on=(ConnectionError,))
    assert isinstance(raised.value, LabError) and isinstance(raised.value, TimeoutError)
    assert str(raised.value).startswith("timed out after 0.1s waiting for OpenSearch to answer; "
                                        "last=ConnectionError('refused')")
    assert isinstance(raised.value.last, ConnectionError)
