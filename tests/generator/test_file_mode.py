"""File mode: reproducible, in order, Apache's format, and a visitor model worth a dashboard."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from collections import Counter, defaultdict
from datetime import UTC, datetime
from itertools import pairwise

import pytest

from generator import shop
from generator.log_format import format_line
from tests.generator.logline import parse, to_request

pytestmark = [pytest.mark.unit]

END = "2026-11-22T10:00:00+00:00"
SITE = "http://www.unicornshop.com"


def generate(path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "generator", "--file", str(path), "--no-progress",
                           *args], check=False, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def backfill(tmp_path_factory):
    """20,000 lines over the 2 hours before END, seed 11."""
    path = tmp_path_factory.mktemp("file") / "access_log"
    result = generate(path, "--count", "20000", "--seed", "11", "--backfill", "2",
                      "--end-time", END)
    assert result.returncode == 0, result.stderr
    lines = path.read_text().splitlines(keepends=True)
    return result, lines, [parse(line) for line in lines]


def test_same_seed_same_file_byte_for_byte(tmp_path):
    args = ("--count", "5000", "--backfill", "1", "--end-time", END, "--bad-fraction", "0.05")
    for name in ("a", "b"):
        assert generate(tmp_path / name, "--seed", "7", *args).returncode == 0
    assert generate(tmp_path / "c", "--seed", "8", *args).returncode == 0
    first = (tmp_path / "a").read_bytes()
    assert first == (tmp_path / "b").read_bytes()
    assert first != (tmp_path / "c").read_bytes()
    assert first.count(b"\n") == 5000


def test_backfill_timestamps_are_in_order_inside_the_window(backfill):
    _, lines, parsed = backfill
    assert len(lines) == 20000
    times = [to_request(m).time for m in parsed]
    assert times == sorted(times)
    end = datetime.fromisoformat(END).timestamp()
    assert end - 2 * 3600 <= times[0] < end - 2 * 3600 + 60
    assert end - 60 < times[-1] <= end


def test_lines_are_what_the_reference_writer_renders(backfill):
    """The fast writer's lines equal format_line() of the request they describe."""
    _, lines, parsed = backfill
    for line, match in zip(lines, parsed):
        assert format_line(to_request(match)) == line


def test_time_zone_option(tmp_path):
    assert generate(tmp_path / "log", "--count", "50", "--seed", "1", "--tz", "-0330").returncode == 0
    assert all(parse(line)["tz"] == "-0330" for line in (tmp_path / "log").open())


def test_status_mix_near_the_workshops(backfill):
    result, _, parsed = backfill
    statuses = Counter(int(m["status"]) for m in parsed)
    assert set(statuses) == {200, 301, 401, 403, 404, 500, 503}
    assert 0.68 < statuses[200] / len(parsed) < 0.82
    assert statuses[301] > statuses[500] and statuses[403] > statuses[503]
    # the summary line counts what was written
    assert f"200={statuses[200]}" in result.stdout


def test_sessions_keep_their_id_address_and_browser_and_referer_is_previous_page(backfill):
    _, _, parsed = backfill
    sessions = defaultdict(list)
    for m in parsed:
        if m["session"] != "-":
            sessions[m["session"]].append(m)
    multi_page = [views for views in sessions.values() if len(views) >= 3]
    assert len(multi_page) > 500
    for views in sessions.values():
        assert len({(v["client"], v["agent"]) for v in views}) == 1
        previous_page = None
        for view in views:
            if previous_page is not None:
                assert view["referer"] == SITE + previous_page, [v.group(0) for v in views]
            if view["status"] == "200" and view["method"] != "OPTIONS":
                previous_page = view["path"]


def test_funnel_with_drop_off(backfill):
    _, _, parsed = backfill
    reached = defaultdict(set)
    for m in parsed:
        page = m["path"]
        stage = ("checkout_paid" if (m["method"], page) == ("POST", "/checkout") else
                 "cart" if page == "/cart" and m["method"] != "OPTIONS" else
                 "product" if page.startswith("/products/") else
                 "category" if page.startswith("/categories/") else
                 "home" if page in ("/", "/home") else None)
        if stage and m["session"] != "-":
            reached[stage].add(m["session"])
    # Visitors also land on product pages straight from a search engine, so the
    # funnel narrows from the product page on.
    counts = {stage: len(sessions) for stage, sessions in reached.items()}
    assert counts["home"] > counts["cart"] and counts["category"] > counts["cart"], counts
    assert counts["product"] > 2 * counts["cart"] > 4 * counts["checkout_paid"] > 80, counts


def test_anonymous_visitors_sign_in_and_sign_up(backfill):
    _, _, parsed = backfill
    by_session = defaultdict(list)
    for m in parsed:
        by_session[m["session"]].append(m)
    turned = Counter()
    for views in by_session.values():
        for before, after in pairwise(views):
            if before["method"] == "POST" and before["path"] in ("/signin", "/signup"):
                assert before["user"] == "anonymous" and after["user"] != "anonymous"
                turned[before["path"]] += 1
    assert turned["/signin"] > 10 and turned["/signup"] > 5
    users = Counter(m["user"] for m in parsed if m["user"] != "-")
    assert 0.35 < users["anonymous"] / sum(users.values()) < 0.75
    assert len(users) > 50


def test_crawlers_crawl_without_cookies_and_clients_include_ipv6(backfill):
    _, _, parsed = backfill
    bots = [m for m in parsed if "Googlebot" in m["agent"] or "bingbot" in m["agent"]]
    assert {"Googlebot", "bingbot"} <= {("Googlebot" if "Googlebot" in m["agent"] else "bingbot")
                                        for m in bots}
    assert all(m["session"] == "-" and m["user"] == "-" and m["referer"] == "-" for m in bots)
    assert any(m["path"] == "/robots.txt" for m in bots)
    assert 0.03 < len(bots) / len(parsed) < 0.25
    assert any(":" in m["client"] for m in parsed)
    agents = Counter(m["agent"] for m in parsed)
    assert len(agents) >= 12 and sum("Mobile" in a for a in agents.elements()) > len(parsed) / 4


def _etl(lines: list[bytes]) -> list[dict]:
    from etl.handler import lambda_handler
    records = [{"recordId": str(n), "approximateArrivalTimestamp": 0,
                "data": base64.b64encode(line).decode()} for n, line in enumerate(lines)]
    return lambda_handler({"records": records})["records"]


def test_the_labs_etl_accepts_every_line(backfill):
    _, lines, parsed = backfill
    out = _etl([line.encode() for line in lines[:3000]])
    assert [r["result"] for r in out] == ["Ok"] * 3000
    for record, match in zip(out, parsed):
        doc = json.loads(base64.b64decode(record["data"]))
        assert doc["response"] == int(match["status"])
        assert doc["session_id"] == (None if match["session"] == "-" else match["session"])
        assert doc["username"] == (None if match["user"] == "-" else match["user"])


def test_bad_fraction_mixes_in_every_kind(tmp_path):
    from generator import malformed
    result = generate(tmp_path / "log", "--count", "4000", "--seed", "3", "--bad-fraction", "0.2")
    assert result.returncode == 0, result.stderr
    for kind in malformed.KINDS:
        assert f"{kind}=" in result.stdout
    lines = (tmp_path / "log").read_bytes().split(b"\n")[:-1]
    assert len(lines) == 4000
    good = [line for line in lines if parse_ok(line)]
    assert 0.7 < len(good) / len(lines) < 0.9
    assert any(not _is_utf8(line) for line in lines)
    results = Counter(r["result"] for r in _etl([line + b"\n" for line in lines]))
    assert results["ProcessingFailed"] > 0.1 * len(lines)


def parse_ok(line: bytes) -> bool:
    from tests.generator.logline import LINE
    try:
        return LINE.match(line.decode("ascii") + "\n") is not None
    except UnicodeDecodeError:
        return False


def _is_utf8(line: bytes) -> bool:
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


@pytest.mark.parametrize("args,option", [
    (["--rate", "-1"], "--rate"),
    (["--backfill", "2"], "--backfill"),
    (["--tz", "+25"], "--tz"),
    (["--bad-fraction", "1.5"], "--bad-fraction"),
    (["--count", "0"], "--count"),
    (["--count", "5", "--backfill", "1", "--end-time", "yesterday"], "--end-time"),
])
def test_bad_options_are_refused_naming_the_option(tmp_path, args, option):
    result = generate(tmp_path / "log", *args)
    assert result.returncode == 2
    assert option in result.stderr.splitlines()[-1]


def test_url_only_and_file_only_options_are_kept_apart():
    result = subprocess.run([sys.executable, "-m", "generator", "--url", "http://127.0.0.1:9",
                             "--bad-fraction", "0.1"], check=False, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "--bad-fraction" in result.stderr


def test_shop_urls_cover_the_contract():
    assert set(shop.STATUS_URLS.values()) == {301, 401, 403, 404, 500, 503}
    assert len(shop.PRODUCTS) == 10 and len(shop.CATEGORIES) == 3
    assert datetime.fromisoformat(END).tzinfo == UTC
