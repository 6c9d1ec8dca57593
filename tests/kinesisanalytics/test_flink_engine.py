"""The issue's application on the Flink engine (PyFlink on the machine's Java, selected with the
application tag lab:engine=flink): the same per-client, per-10 s counts as an independent count."""
from __future__ import annotations

import pytest

from tests.kinesisanalytics.test_issue_sql import run_issue_application

pytestmark = [pytest.mark.localstack, pytest.mark.slow]


def test_issue_application_on_flink_gives_the_same_counts(localstack):
    sent, received, _ = run_issue_application(localstack, engine="flink")
    assert received == sent
