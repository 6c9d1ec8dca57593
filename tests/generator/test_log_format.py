"""The line writer against facts about Apache's output (see also test_file_matches_apache)."""

from __future__ import annotations

import pytest

from generator.log_format import (
    FragmentCache,
    LoggedRequest,
    client_fragment,
    escape,
    format_line,
    parse_tz,
    referer_fragment,
    timestamp_fragment,
    visitor_fragment,
)

pytestmark = [pytest.mark.unit]

WORKSHOP_LINE = (
    '162.250.88.82 - - [03/Nov/2018:04:29:26 +0000] "POST /home HTTP/1.1" 200 20494 '
    '"www.unicornshop.com/categories//" "Mozilla/5.0 (X11; Linux x86_64)" '
    '"user = anonymous; PHPSESSID=903f966790f4452e8b695267efe93a99"\n')


def test_the_workshops_line():
    request = LoggedRequest(
        client="162.250.88.82", time=1541219366, method="POST", path="/home", status=200,
        bytes=20494, referer="www.unicornshop.com/categories//",
        user_agent="Mozilla/5.0 (X11; Linux x86_64)", user="anonymous",
        session_id="903f966790f4452e8b695267efe93a99")
    assert format_line(request) == WORKSHOP_LINE


def test_missing_values_and_empty_body_are_dashes():
    request = LoggedRequest(client="66.249.66.1", time=0, method="OPTIONS", path="/cart",
                            status=200, bytes=0, referer=None, user_agent=None, user=None,
                            session_id=None)
    assert format_line(request) == ('66.249.66.1 - - [01/Jan/1970:00:00:00 +0000] '
                                    '"OPTIONS /cart HTTP/1.1" 200 - "-" "-" '
                                    '"user = -; PHPSESSID=-"\n')


@pytest.mark.parametrize("raw,logged", [
    ("plain text", "plain text"),
    ('say "hi"', 'say \\"hi\\"'),
    ("back\\slash", "back\\\\slash"),
    ("tab\there", "tab\\there"),
    ("caf\u00e9", "caf\\xc3\\xa9"),
    ("ctrl\x01\x7f", "ctrl\\x01\\x7f"),
    ("\b\v\r\n", "\\b\\v\\r\\n"),
])
def test_escape_like_apache(raw, logged):
    assert escape(raw) == logged


@pytest.mark.parametrize("tz,expected", [
    ("+0000", "14/Nov/2023:22:13:20 +0000"),
    ("-0500", "14/Nov/2023:17:13:20 -0500"),
    ("+0530", "15/Nov/2023:03:43:20 +0530"),
])
def test_timestamp_in_the_requested_zone(tz, expected):
    assert timestamp_fragment(1_700_000_000.9, parse_tz(tz)) == expected


@pytest.mark.parametrize("bad", ["0000", "+000", "+2500", "+01:00", "UTC"])
def test_bad_time_zones_are_refused(bad):
    with pytest.raises(ValueError):
        parse_tz(bad)


def test_cached_fragments_render_the_same_line():
    request = LoggedRequest(client="2a00:1450::1", time=1_700_000_000, method="GET",
                            path="/products/Armawoo", status=200, bytes=1310,
                            referer='http://x/"q"', user_agent="UA \u00e9", user="bob",
                            session_id="abc")
    cache = FragmentCache(parse_tz("+0100"))
    for _ in range(2):   # second round comes from the cache
        line = "".join((client_fragment(request.client), cache.timestamp(request.time),
                        cache.request(request.method, request.path, request.status, request.bytes),
                        cache.referer(request.referer),
                        visitor_fragment(request.user_agent, request.user, request.session_id)))
        assert line == format_line(request, parse_tz("+0100"))
    assert referer_fragment(None) == "-"
