"""Rendering the AWS labs' two KDG templates, checked statistically over 10,000 records
(chi-square against the declared weights at p = 0.001, critical values from the standard
table), and the helpers' documented formats (moment.js, faker.js)."""
from __future__ import annotations

import ipaddress
import json
import re
from collections import Counter
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from generator.kdg.helpers import fakerjs_names, make_context
from generator.kdg.moment import format_moment
from generator.kdg.template import compile_template

pytestmark = pytest.mark.unit

TEMPLATES = Path(__file__).with_name("templates")
N = 10_000
# Chi-square critical values at p = 0.001 by degrees of freedom (standard tables).
CHI2_CRITICAL = {2: 13.816, 3: 16.266, 6: 22.458, 7: 24.322, 50: 86.661}
APACHE = re.compile(r'^(?P<ip>\S+) - (?P<name>\S+) \[(?P<time>[^\]]+)\] "(?P<method>[A-Z]+) '
                    r'(?P<path>\S+)" (?P<status>\d{3}) (?P<size>\d+)$')


def chi_square(counts: Counter, probabilities: dict) -> float:
    total = sum(counts.values())
    assert set(counts) <= set(probabilities), f"unexpected values {set(counts) - set(probabilities)}"
    return sum((counts.get(k, 0) - total * p) ** 2 / (total * p) for k, p in probabilities.items())


def render(name: str, n: int = N, seed: int = 26) -> list[str]:
    template = compile_template((TEMPLATES / name).read_text())
    context = make_context(seed)
    return [template.render(context) for _ in range(n)]


@pytest.fixture(scope="module")
def transactions() -> list[dict]:
    return [json.loads(line) for line in render("transactions.json.hbs")]


@pytest.fixture(scope="module")
def apache_lines() -> list[re.Match]:
    lines = render("apache.log.hbs")
    matches = [APACHE.match(line) for line in lines]
    assert all(matches), [line for line, m in zip(lines, matches) if not m][:3]
    return matches


def test_transactions_are_one_line_json_objects_with_the_fields():
    (line,) = render("transactions.json.hbs", 1)
    assert "\n" not in line  # KDG drops the template's line breaks
    assert set(json.loads(line)) == {"customerId", "transactionAmount", "sourceIp", "status",
                                     "transactionTime"}


def test_customer_id_uniform_on_0_to_50(transactions):
    ids = Counter(int(t["customerId"]) for t in transactions)
    assert all(isinstance(t["customerId"], str) for t in transactions)
    assert min(ids) == 0 and max(ids) == 50
    assert chi_square(ids, {i: 1 / 51 for i in range(51)}) < CHI2_CRITICAL[50]


def test_transaction_amount_within_min_max(transactions):
    amounts = [t["transactionAmount"] for t in transactions]
    assert all(isinstance(a, int) for a in amounts)
    assert min(amounts) == 10 and max(amounts) == 150
    mean = sum(amounts) / len(amounts)
    # uniform on 10..150: mean 80, sd 40.7, so the mean of 10,000 has sd 0.41
    assert abs(mean - 80) < 4 * 0.41


def test_status_weights(transactions):
    counts = Counter(t["status"] for t in transactions)
    assert chi_square(counts, {"OK": 0.8, "FAIL": 0.1, "PENDING": 0.1}) < CHI2_CRITICAL[2]


def test_source_ip_is_ipv4(transactions):
    for t in transactions:
        assert ipaddress.ip_address(t["sourceIp"]).version == 4
        assert t["sourceIp"].count(".") == 3


def test_source_ip_octets_are_uniform_over_0_255_as_faker_js_draws_them(transactions):
    """faker.js's internet.ip is four random.number(255): every octet uniform over 0..255
    (first octets of 224 and above, multicast and reserved, included: 1 in 8)."""
    octets = [[int(o) for o in t["sourceIp"].split(".")] for t in transactions]
    for position in range(4):
        bins = Counter(ip[position] // 32 for ip in octets)
        assert chi_square(bins, {b: 1 / 8 for b in range(8)}) < CHI2_CRITICAL[7], (position, bins)
    assert min(ip[0] for ip in octets) <= 2 and max(ip[0] for ip in octets) >= 253


def test_transaction_time_is_iso8601_now(transactions):
    now = datetime.now(UTC)
    for t in transactions[:200]:
        parsed = datetime.strptime(t["transactionTime"], "%Y-%m-%dT%H:%M:%S%z")
        assert abs(parsed - now) < timedelta(minutes=5)


def test_apache_line_fields(apache_lines):
    now = datetime.now(UTC)
    paths = ["/list", "/wp-content", "/wp-admin", "/explore", "/search/tag/list",
             "/app/main/posts", "/posts/posts/explore"]
    first_names = set(fakerjs_names("first_name"))
    for m in apache_lines:
        ipaddress.IPv4Address(m["ip"])
        assert m["name"] in first_names      # faker.js's list: "D'angelo" too, as the KDG gives
        assert abs(datetime.strptime(m["time"], "%d/%b/%Y:%H:%M:%S %z") - now) < timedelta(minutes=5)
        assert 0 <= int(m["size"]) <= 10000
    assert chi_square(Counter(m["method"] for m in apache_lines),
                      {"GET": 0.6, "POST": 0.1, "DELETE": 0.1, "PUT": 0.2}) < CHI2_CRITICAL[3]
    assert chi_square(Counter(m["status"] for m in apache_lines),
                      {"200": 0.9, "404": 0.04, "500": 0.02, "301": 0.04}) < CHI2_CRITICAL[3]
    assert chi_square(Counter(m["path"] for m in apache_lines),
                      {p: 1 / 7 for p in paths}) < CHI2_CRITICAL[6]


def test_weights_are_not_ignored():
    """The chi-square bound can fail: uniform choice is far outside it."""
    counts = Counter({"OK": N // 3, "FAIL": N // 3, "PENDING": N - 2 * (N // 3)})
    assert chi_square(counts, {"OK": 0.8, "FAIL": 0.1, "PENDING": 0.1}) > CHI2_CRITICAL[2]


def _frozen(seed: int):
    context = make_context(seed)
    context.now = lambda: datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    return context


def test_same_seed_same_records():
    template = compile_template((TEMPLATES / "apache.log.hbs").read_text())
    a, b, c = _frozen(7), _frozen(7), _frozen(8)
    first = [template.render(a) for _ in range(50)]
    assert first == [template.render(b) for _ in range(50)]
    assert first != [template.render(c) for _ in range(50)]


# moment.js's documented outputs (KDG's help page, momentjs.com/docs/#/displaying/format/).
@pytest.mark.parametrize("when, fmt, expected", [
    (datetime(2014, 9, 8, 8, 2, 17, tzinfo=timezone(timedelta(hours=-5))), None,
     "2014-09-08T08:02:17-05:00"),
    (datetime(2010, 2, 14, 15, 25, 50, tzinfo=UTC), "dddd, MMMM Do YYYY, h:mm:ss a",
     "Sunday, February 14th 2010, 3:25:50 pm"),
    (datetime(2010, 2, 14, 15, 25, 50, tzinfo=UTC), "ddd, hA", "Sun, 3PM"),
    (datetime(2009, 7, 14, 20, 12, 22, tzinfo=timezone(timedelta(hours=-7))), "DD/MMM/YYYY:HH:mm:ss ZZ",
     "14/Jul/2009:20:12:22 -0700"),
    (datetime(2009, 7, 14, 20, 12, 22, tzinfo=timezone(timedelta(hours=-7))), "Z", "-07:00"),
    (datetime(2021, 3, 1, 0, 0, 0, 123456, tzinfo=UTC), "YY-M-D H:m:s.SSS [at] X x",
     "21-3-1 0:0:0.123 at 1614556800 1614556800123"),
    (datetime(2021, 12, 31, 12, 0, tzinfo=UTC), "DDDD Q E d dd kk hh", "365 4 5 5 Fr 12 12"),
    (datetime(2021, 1, 3, 0, 0, tzinfo=UTC), "Do Do", "3rd 3rd"),
])
def test_moment_formats(when, fmt, expected):
    assert format_moment(when, fmt) == expected


def test_dates_print_as_javascript_date_strings():
    context = _frozen(1)
    for helper in ("date.past", "date.recent", "date.future", "date.soon"):
        text = compile_template("{{" + helper + "}}").render(context)
        parsed = datetime.strptime(text, "%a %b %d %Y %H:%M:%S GMT%z (UTC)")
        assert abs(parsed - context.now()) <= timedelta(days=366)


@pytest.mark.parametrize("source, check", [
    ('{{random.number({"min": 1, "max": 2, "precision": 0.25})}}',
     lambda v: float(v) in (1, 1.25, 1.5, 1.75, 2)),
    ("{{random.uuid}}", lambda v: re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", v)),
    ("{{random.boolean}}", lambda v: v in ("true", "false")),
    ("{{internet.ipv6}}", lambda v: ipaddress.IPv6Address(v)),
    ("{{internet.email}}", lambda v: re.fullmatch(r"[^@\s]+@[^@\s]+\.[a-z]+", v)),
    ("{{internet.url}}", lambda v: v.startswith(("http://", "https://"))),
    ("{{address.latitude}}", lambda v: -90 <= float(v) <= 90 and len(v.split(".")[1]) == 4),
    ("{{address.longitude}}", lambda v: -180 <= float(v) <= 180),
    ("{{commerce.price}}", lambda v: re.fullmatch(r"\d+\.\d\d", v) and 1 <= float(v) <= 1000),
    ("{{random.words(4)}}", lambda v: len(v.split()) == 4),
    ('{{helpers.replaceSymbols("##-??")}}', lambda v: re.fullmatch(r"\d\d-[A-Z]{2}", v)),
    ('{{random.arrayElement(["a", 1, true])}}', lambda v: v in ("a", "1", "true")),
    ("{{current.timestamp}}", lambda v: datetime.strptime(v, "%Y-%m-%dT%H:%M:%S%z")),
    ('{{date.utc("HH:mm Z")}}', lambda v: v == "03:04 +00:00"),
    ("{{ name.findName }}", lambda v: len(v.split()) >= 2),
])
def test_helper_values(source, check):
    template, context = compile_template(source), _frozen(3)
    for _ in range(200):
        value = template.render(context)
        assert check(value), (source, value)
