"""URL mode against a real Apache: the log Apache writes is the traffic that was planned."""

from __future__ import annotations

import base64
import random
import re
import subprocess
import sys
from collections import Counter, defaultdict

import pytest

from generator.visitors import NamePool, VisitorModel
from tests.apache.server import wait_for_lines
from tests.generator.logline import parse

pytestmark = [pytest.mark.apache]

COUNT, SEED, WORKERS = 3000, 5, 8
SITE = "http://www.unicornshop.com"


@pytest.fixture(scope="module")
def traffic(apache):
    before = len(wait_for_lines(apache.access_log, 0))
    result = subprocess.run(
        [sys.executable, "-m", "generator", "--url", apache.url, "--count", str(COUNT),
         "--seed", str(SEED), "--workers", str(WORKERS), "--no-progress"],
        check=False, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    lines = wait_for_lines(apache.access_log, before + COUNT)[before:]
    return result, lines, [parse(line) for line in lines]


def planned_steps() -> list[tuple]:
    """What the workers were to send: each worker's seeded sessions, up to its quota."""
    planned = []
    names = NamePool(SEED)
    for index in range(WORKERS):
        model = VisitorModel(random.Random(f"{SEED}/worker{index}"), SITE,
                             names.shard(index, WORKERS))
        quota = COUNT // WORKERS + (index < COUNT % WORKERS)
        sent = 0
        while sent < quota:
            session = model.new_session()
            for method, path, referer, user in session.steps:
                if sent == quota:
                    break
                planned.append((method, path, referer or "-", session.visitor.user_agent,
                                user or "-", session.session_id or "-", session.visitor.client))
                sent += 1
    return planned


def test_apache_logged_exactly_the_planned_requests(traffic):
    _, lines, parsed = traffic
    assert len(lines) == COUNT
    logged = Counter((m["method"], m["path"], m["referer"], m["agent"], m["user"], m["session"],
                      m["client"]) for m in parsed)
    # The client is each visitor's own address, sent in X-Forwarded-For.
    assert logged == Counter(planned_steps())
    assert "127.0.0.1" not in {m["client"] for m in parsed}


def test_every_status_and_the_generators_own_tally(traffic):
    result, _, parsed = traffic
    statuses = Counter(int(m["status"]) for m in parsed)
    assert set(statuses) == {200, 301, 401, 403, 404, 500, 503}
    assert 0.65 < statuses[200] / COUNT < 0.85
    tally = dict(re.findall(r"(\d{3})=(\d+)", result.stdout))
    assert {int(k): int(v) for k, v in tally.items()} == dict(statuses)


def test_sessions_reuse_their_id_and_referer_is_the_previous_page(traffic):
    _, _, parsed = traffic
    sessions = defaultdict(list)
    for m in parsed:
        if m["session"] != "-":
            sessions[m["session"]].append(m)
    assert sum(len(views) >= 3 for views in sessions.values()) > 100
    checked = 0
    for views in sessions.values():
        assert len({(v["agent"]) for v in views}) == 1
        # Apache closes the connection after a 500 or 503, and a request on a new
        # connection may be logged before the previous one: check log order only
        # where the whole session used one keep-alive connection.
        if any(v["status"] in ("500", "503") for v in views):
            continue
        previous_page = None
        for view in views:
            if previous_page is not None:
                assert view["referer"] == SITE + previous_page, [v.group(0) for v in views]
            if view["status"] == "200" and view["method"] != "OPTIONS":
                previous_page = view["path"]
        checked += len(views) > 2
    assert checked > 50


def test_the_labs_etl_parses_every_line_ok(traffic):
    import json

    from etl.handler import lambda_handler
    _, lines, parsed = traffic
    records = [{"recordId": str(n), "approximateArrivalTimestamp": 0,
                "data": base64.b64encode(line.encode("latin-1")).decode()}
               for n, line in enumerate(lines)]
    out = lambda_handler({"records": records})["records"]
    assert Counter(r["result"] for r in out) == {"Ok": COUNT}
    for record, match in zip(out, parsed):
        doc = json.loads(base64.b64decode(record["data"]))
        assert doc["path"] == match["path"] and doc["response"] == int(match["status"])
        assert doc["session_id"] == (None if match["session"] == "-" else match["session"])
