"""The anomaly-detection lab end to end on the native lab (labctl.labs.anomaly.lab, what `make
anomaly-lab` runs, shortened): Glue streaming job, two KDGs, crawler, the workshop's Athena
query. The abnormal client ranks first with exactly as many transactions as its KDG sent."""
from __future__ import annotations

import datetime as dt
import time
import uuid

import pytest
from labctl.labs.anomaly import lab as anomaly_lab

pytestmark = [pytest.mark.localstack, pytest.mark.slow]


def test_athena_ranks_the_abnormal_client_first(localstack):
    # The workshop's query counts the current hour's partitions only: a run across the top of
    # the hour would split the records, so start after it (waits only in an hour's last 3 min).
    now = dt.datetime.now(dt.UTC)
    if now.minute >= 57:
        time.sleep((60 - now.minute) * 60 - now.second + 1)
    outcome = anomaly_lab.run(localstack.url, f"tickets-{uuid.uuid4().hex[:8]}", duration=10, rate=40,
                              keep_running=False)
    assert outcome.abnormal_sent >= 9 and outcome.normal_sent >= 300
    header, first, *others = outcome.rows
    assert header == ["numberOfTransactions", "sourceip"] or [h.lower() for h in header] == \
        ["numberoftransactions", "sourceip"]
    assert first == [str(outcome.abnormal_sent), anomaly_lab.ABNORMAL_IP]
    assert all(int(count) < outcome.abnormal_sent for count, _ in others)
    # every record sent is counted once in this hour's partitions
    assert sum(int(count) for count, _ in [first, *others]) == outcome.normal_sent + outcome.abnormal_sent
