"""Fixtures of the fault suite: one native lab for all the cases of a module."""
from __future__ import annotations

import pytest

from tests.support.native_lab import NativeLab, print_reports, report


@pytest.fixture(scope="module")
def fault_lab(tmp_path_factory) -> NativeLab:
    """The whole native lab on free ports: 1 s buffer interval, RetryDuration 10 s.
    At the end, the per-case accounting table goes to the run's summary."""
    running = NativeLab.start(tmp_path_factory.mktemp("fault-lab"))
    try:
        yield running
        if running.last is not None:
            report("fault", "fault suite: per-case accounting (duplicates allowed under faults)",
                   running.case_rows(running.last))
    finally:
        running.stop()


def pytest_terminal_summary(terminalreporter):
    print_reports(terminalreporter, "fault")
