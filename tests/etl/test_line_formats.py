"""Field by field: the line forms the ETL must read, and the values it must write."""

from datetime import UTC, datetime, timedelta

import pytest

from etl.shop_pages import classify_path
from tests.etl.firehose_contract import check_document, transform_line

pytestmark = pytest.mark.unit

COOKIE = '"user = anonymous; PHPSESSID=903f966790f4452e8b695267efe93a99"'
TAIL = '"http://127.0.0.1:8080/home" "Mozilla/5.0 (X11)" ' + COOKIE


def line(host: str = "162.250.88.82", stamp: str = "03/Nov/2018:04:29:26 +0000",
         request: str = "GET /products/Armawoo HTTP/1.1", status: str = "200", size: str = "20494",
         tail: str = TAIL, ident: str = "-", authuser: str = "-") -> str:
    return f'{host} {ident} {authuser} [{stamp}] "{request}" {status} {size} {tail}'.rstrip()


def ok(text: str | bytes) -> dict:
    result, document = transform_line(text)
    assert result == "Ok", text
    check_document(document)
    return document


def failed(text: str | bytes) -> None:
    assert transform_line(text)[0] == "ProcessingFailed", text


def test_workshop_line() -> None:
    assert ok(line()) == {
        "host": "162.250.88.82", "client_ip": "162.250.88.82", "ident": None, "authuser": None,
        "@timestamp": "2018-11-03T04:29:26+00:00", "@timestamp_utc": "2018-11-03T04:29:26Z",
        "timezone": "+0000", "request": "GET /products/Armawoo HTTP/1.1", "verb": "GET",
        "path": "/products/Armawoo", "http_version": "1.1", "page": "product", "category": None,
        "product": "Armawoo", "response": 200, "bytes": 20494,
        "referer": "http://127.0.0.1:8080/home", "user-agent": "Mozilla/5.0 (X11)", "is_bot": False,
        "username": "anonymous", "session_id": "903f966790f4452e8b695267efe93a99",
    }


@pytest.mark.parametrize("host, client_ip", [
    ("10.0.0.1", "10.0.0.1"),
    ("2001:db8::1", "2001:db8::1"),
    ("2001:0db8:85a3:0000:0000:8a2e:0370:7334", "2001:0db8:85a3:0000:0000:8a2e:0370:7334"),
    ("::1", "::1"),
    ("lj1036.inktomisearch.com", None),
    ("localhost", None),
    ("999.1.1.1", None),
])
def test_clients(host: str, client_ip: str | None) -> None:
    document = ok(line(host=host))
    assert (document["host"], document["client_ip"]) == (host, client_ip)


def test_ident_and_authuser() -> None:
    document = ok(line(ident="an.email@address.com", authuser="frank"))
    assert (document["ident"], document["authuser"]) == ("an.email@address.com", "frank")


@pytest.mark.parametrize("stamp", [
    "03/Nov/2018:04:29:26 +0100", "31/Dec/2018:23:30:00 -0130", "01/Jan/2019:00:10:00 +0530",
    "29/Feb/2016:12:00:00 -0800", "01/Mar/2016:01:00:00 +1400", "28/Feb/2015:20:00:00 -1200",
    "15/Jul/1999:09:08:07 -0930", "1/Aug/2020:00:00:00 +0000", "04/March/2015:13:17:15 +0200",
])
def test_timestamps_against_strptime(stamp: str) -> None:
    document = ok(line(stamp=stamp))
    day, rest = stamp.split("/", 1)
    month = rest.split("/")[0]
    normalised = stamp.replace(f"{day}/{month}/", f"{int(day):02d}/{month[:3]}/")
    moment = datetime.strptime(normalised, "%d/%b/%Y:%H:%M:%S %z")
    assert document["@timestamp"] == moment.isoformat()
    assert datetime.fromisoformat(document["@timestamp_utc"]) == moment
    assert document["@timestamp_utc"] == moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert document["timezone"] == stamp[-5:]
    assert moment.utcoffset() == timedelta(hours=int(stamp[-5:-2]), minutes=int(stamp[-5] + stamp[-2:]))


@pytest.mark.parametrize("stamp", [
    "29/Feb/2015:12:00:00 +0000", "31/Apr/2018:00:00:00 +0000", "03/Nov/2018:24:00:00 +0000",
    "03/Nov/2018:04:60:00 +0000", "03/Nov/2018:04:29:26 +0060", "03/Foo/2018:04:29:26 +0000",
    "03/Nov/2018:04:29:26", "03/Nov/2018 04:29:26 +0000", "2018-11-03T04:29:26Z", "",
    "04/Mai/2015:13:17:15 +0200", "01/Jan/0000:00:00:00 +0000", "31/Dec/9999:23:59:59 -0100",
])
def test_invalid_timestamps(stamp: str) -> None:
    failed(line(stamp=stamp))


@pytest.mark.parametrize("ending", ["", "\n", "\r\n", "  \n"])
def test_line_endings(ending: str) -> None:
    assert ok(line() + ending) == ok(line())


def test_two_lines_in_one_record_fail() -> None:
    failed(line() + "\n" + line() + "\n")


@pytest.mark.parametrize("request_line, verb, path, version, page", [
    ("GET /index.html", "GET", "/index.html", None, "other"),  # HTTP/0.9
    ("POST home/ HTTP/1.1", "POST", "home/", "1.1", "home"),  # the workshop's slash-less paths
    ("GET /categories/smallUnicorns?sort=price HTTP/1.1", "GET", "/categories/smallUnicorns", "1.1", "category"),
    ("GET http://shop.example/products/Armawoo?x=1 HTTP/1.0", "GET", "/products/Armawoo", "1.0", "product"),
    ("OPTIONS * HTTP/1.1", "OPTIONS", "*", "1.1", "other"),
    ("GET / HTTP/2.0", "GET", "/", "2.0", "home"),
    ("-", None, None, None, "other"),
    (r"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", None, None, None, "other"),  # TLS to HTTP
    ("GET /a b HTTP/1.1", None, None, None, "other"),
    ("GET /x FOO/1.0", None, None, None, "other"),
    ("", None, None, None, "other"),
])
def test_request_lines(request_line: str, verb: str | None, path: str | None, version: str | None,
                       page: str) -> None:
    document = ok(line(request=request_line, status="400"))
    assert document["request"] == request_line
    assert (document["verb"], document["path"], document["http_version"], document["page"]) == (verb, path, version, page)


def test_escaped_quotes_are_kept_as_logged() -> None:
    tail = r'"http://x/?q=\"a\"" "Agent \"quoted\" \\ end" ' + COOKIE
    document = ok(line(request=r'GET /say?\"hi\" HTTP/1.1', tail=tail))
    assert document["request"] == r'GET /say?\"hi\" HTTP/1.1'
    assert document["path"] == "/say"
    assert document["referer"] == r'http://x/?q=\"a\"'
    assert document["user-agent"] == r'Agent \"quoted\" \\ end'
    assert document["username"] == "anonymous"


def test_unescaped_quotes_in_request() -> None:
    """Apache before 2.0.46 did not escape quotes in %r."""
    document = ok(line(request='GET /"quoted" HTTP/1.1'))
    assert document["request"] == 'GET /"quoted" HTTP/1.1'
    assert document["response"] == 200 and document["user-agent"] == "Mozilla/5.0 (X11)"


@pytest.mark.parametrize("tail, referer, agent, username, session", [
    ("", None, None, None, None),  # common format
    ('"-" "-"', None, None, None, None),
    ('"" ""', None, None, None, None),
    ('"-" "curl/8.0" "user = -; PHPSESSID=-"', None, "curl/8.0", None, None),  # no cookies sent
    (COOKIE, None, None, "anonymous", "903f966790f4452e8b695267efe93a99"),  # common + cookie
    ('"r" "a" "ANY_RANDOM_DATA"', "r", "a", None, None),  # kinesis agent's extra field
    (f'"r" "a" {COOKIE} "more" "fields"', "r", "a", "anonymous", "903f966790f4452e8b695267efe93a99"),
    ('"r" "a" "user=bob;PHPSESSID=xyz"', "r", "a", "bob", "xyz"),  # other spacing: tolerant pass
    ('"r" "a" "user = John Doe; PHPSESSID=s1"', "r", "a", "John Doe", "s1"),
    ('"r" "a" "user = carol"', "r", "a", "carol", None),
    ('"r" "a" 1234 567', "r", "a", None, None),  # unquoted trailing fields (%D %T) ignored
    ('"r" "unterminated agent', "r", "unterminated agent", None, None),  # truncated line
])
def test_trailing_fields(tail: str, referer: str | None, agent: str | None,
                         username: str | None, session: str | None) -> None:
    document = ok(line(tail=tail))
    assert (document["referer"], document["user-agent"], document["username"], document["session_id"]) == (
        referer, agent, username, session)


@pytest.mark.parametrize("status, size, response, bytes_", [
    ("200", "0", 200, 0), ("304", "-", 304, None), ("-", "7908", None, 7908), ("599", "123456789012", 599, 123456789012),
])
def test_status_and_bytes(status: str, size: str, response: int | None, bytes_: int | None) -> None:
    document = ok(line(status=status, size=size))
    assert (document["response"], document["bytes"]) == (response, bytes_)


@pytest.mark.parametrize("status, size", [
    ("20", "1"), ("2000", "1"), ("abc", "1"), ("200", "x"), ("200", "-1"), ("099", "1"), ("200", "0123"),
    ("200", "1" * 19),
])
def test_invalid_status_or_bytes(status: str, size: str) -> None:
    failed(line(status=status, size=size))


@pytest.mark.parametrize("text", [
    "just some text", '1.2.3.4 - - [03/Nov/2018:04:29:26 +0000] "GET / HTTP/1.1" 200',  # no bytes
    '1.2.3.4 - [03/Nov/2018:04:29:26 +0000] "GET / HTTP/1.1" 200 1',  # field missing
    '1.2.3.4 - - 03/Nov/2018:04:29:26 +0000 "GET / HTTP/1.1" 200 1',  # no brackets
    '1.2.3.4 - - [03/Nov/2018:04:29:26 +0000] GET / HTTP/1.1 200 1',  # request not quoted
    '{"host": "1.2.3.4"}',
])
def test_not_access_log_lines(text: str) -> None:
    failed(text)


def test_invalid_utf8_is_kept_as_backslash_escapes() -> None:
    raw = line(tail='"-" "Agent-AGENT"').encode().replace(b"AGENT", b"\xff\xfe ok \xc3\xa9")
    document = ok(raw)
    assert document["user-agent"] == "Agent-\\xff\\xfe ok é"


@pytest.mark.parametrize("agent, bot", [
    ("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", True),
    ("Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)", True),
    ("ELB-HealthChecker/2.0", True),
    ("Mozilla/5.0 (compatible; Yahoo! Slurp; http://help.yahoo.com/help/us/ysearch/slurp)", True),
    ("Sogou web spider/4.0", True),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/70.0 Safari/537.36", False),
    ("curl/8.0.1", False),
    ("-", False),
])
def test_is_bot(agent: str, bot: bool) -> None:
    assert ok(line(tail=f'"-" "{agent}"'))["is_bot"] is bot


@pytest.mark.parametrize("path, expected", [
    ("/", ("home", None, None)), ("", ("home", None, None)), ("/home", ("home", None, None)),
    ("home/", ("home", None, None)), ("/Home/", ("home", None, None)),
    ("/categories/smallUnicorns", ("category", "smallUnicorns", None)),
    ("categories/smallUnicorns/", ("category", "smallUnicorns", None)),
    ("/category/bigunicorns", ("category", "bigunicorns", None)),
    ("categories//", ("category", None, None)),
    ("/products/Armawoo", ("product", None, "Armawoo")), ("products/Armawoo/", ("product", None, "Armawoo")),
    ("/product/Big%20Unicorn", ("product", None, "Big Unicorn")),
    ("/signin", ("signin", None, None)), ("/signup/", ("signup", None, None)),
    ("/cart", ("cart", None, None)), ("/checkout", ("checkout", None, None)),
    ("/products/Armawoo/reviews", ("other", None, None)), ("/signin/extra", ("other", None, None)),
    ("/wordpress/", ("other", None, None)), ("/favicon.ico", ("other", None, None)),
    (None, ("other", None, None)),
])
def test_shop_pages(path: str | None, expected: tuple) -> None:
    assert classify_path(path) == expected
