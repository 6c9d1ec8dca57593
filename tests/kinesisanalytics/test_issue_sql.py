"""The issue's application, verbatim, on generated traffic: per-IP counts per 10 s window
equal an independent count of the records sent, each window's rows arrive at the output
stream within window end + 2 s, and an IPv6 client is truncated to VARCHAR(16)."""
from __future__ import annotations

import json
import random
import time
from collections import Counter

import pytest

from tests.kinesisanalytics.conftest import (
    ISSUE_SQL,
    collect,
    json_input,
    make_stream,
    put,
    read_all,
    start,
    stream_output,
    unique,
)

pytestmark = pytest.mark.localstack

WINDOW_S = 10
CLIENTS = ["10.0.0.1", "10.0.0.2", "192.168.100.200", "172.16.5.4", "2001:db8:85a3::8a2e:370:7334"]
SCHEMA = [("client_ip", "$.client_ip", "VARCHAR(64)"), ("request", "$.request", "VARCHAR(64)"),
          ("status", "$.status", "VARCHAR(8)")]


def _wait_mid_window() -> int:
    """Sleeps until 2-3 s into a 10 s window (records then land well inside it); returns it."""
    while True:
        now = time.time()
        offset = now % WINDOW_S
        if 2 <= offset < 3:
            return int(now // WINDOW_S)
        time.sleep(min(0.2, (2 - offset) % WINDOW_S or 0.2))


def _shop_line(client: str) -> bytes:
    return json.dumps({"request_time": time.strftime("[%d/%b/%Y:%H:%M:%S +0000]"), "client_ip": client,
                       "client_hostname": "shop", "server_ip": "127.0.0.1", "request": "/products",
                       "http_method": "GET", "status": "200", "size": "1234", "userAgent": "ab/2.3",
                       "referer": "-"}).encode()


def send_windows(put_payloads, rng: random.Random, windows: int, most: int) -> Counter:
    """Puts 1..`most` shop lines per client, 2-3 s into each of `windows` windows; returns the
    independent count per (window, client as VARCHAR(16) keeps it)."""
    sent = Counter()
    for _ in range(windows):
        window = _wait_mid_window()
        payloads = []
        for client in CLIENTS:
            count = rng.randint(1, most)
            payloads += [_shop_line(client)] * count
            sent[(window, client[:16])] += count
        rng.shuffle(payloads)
        put_payloads(payloads)
    return sent


def run_issue_application(localstack, engine: str | None, windows: int = 2) -> tuple[Counter, Counter, list]:
    source, target = make_stream(localstack), make_stream(localstack)
    name = unique("kda-issue")
    tags = [{"Key": "lab:engine", "Value": engine}] if engine else []
    kda = localstack.client("kinesisanalytics")
    kda.create_application(ApplicationName=name, ApplicationCode=ISSUE_SQL,
                           Inputs=[json_input(source, SCHEMA)],
                           Outputs=[stream_output("DESTINATION_SQL_STREAM", target)], **({"Tags": tags} if tags else {}))
    start(localstack, name, timeout=120)
    sent = send_windows(lambda payloads: put(localstack, source, payloads), random.Random(14), windows, 40)
    expected_rows = len(sent)
    outputs = collect(lambda: read_all(localstack, target), lambda got: len(got) >= expected_rows, timeout=60, what="one output row per client and window")
    received = Counter()
    delays = []
    for record in outputs:
        row = json.loads(record["data"])
        window = int(record["arrival"] // WINDOW_S) - 1      # emitted just after its window ended
        received[(window, row["CLIENT_IP"])] += row["REQUEST_COUNT"]
        delays.append(record["arrival"] - (window + 1) * WINDOW_S)
    kda.stop_application(ApplicationName=name)
    return sent, received, delays


def test_issue_sql_counts_per_client_per_10s_equal_an_independent_count(localstack):
    sent, received, delays = run_issue_application(localstack, engine=None)
    assert received == sent
    assert max(delays) <= 2.0, f"rows arrived {max(delays):.2f} s after their window closed"


@pytest.mark.parametrize("value, expected", [("2001:db8:85a3::8a2e:370:7334", "2001:db8:85a3::8")])
def test_a_client_longer_than_varchar16_is_truncated(value, expected):
    from tests.kinesisanalytics.engine_units import coerce

    assert coerce("VARCHAR(16)", value) == expected
