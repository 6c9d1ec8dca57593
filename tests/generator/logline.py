"""A strict reader of the workshop's log line, independent of the generator's writer."""

from __future__ import annotations

import calendar
import re
import time

from generator.log_format import LoggedRequest

LINE = re.compile(
    r'^(?P<client>\S+) - - \[(?P<time>\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d) (?P<tz>[+-]\d{4})\] '
    r'"(?P<method>[A-Z]+) (?P<path>\S+) (?P<protocol>HTTP/1\.[01])" (?P<status>[1-5]\d\d) '
    r'(?P<bytes>[1-9]\d*|-) "(?P<referer>(?:[^"\\]|\\.)*)" "(?P<agent>(?:[^"\\]|\\.)*)" '
    r'"user = (?P<user>[^;"\s]+); PHPSESSID=(?P<session>[^"\s]+)"\n$')


def parse(line: str) -> re.Match:
    match = LINE.match(line)
    assert match, f"not a workshop-format line: {line!r}"
    return match


def dash(value: str) -> str | None:
    return None if value == "-" else value


def to_request(match: re.Match) -> LoggedRequest:
    """The LoggedRequest a line describes (for fields without escapes)."""
    epoch = calendar.timegm(time.strptime(match["time"], "%d/%b/%Y:%H:%M:%S"))
    sign = 1 if match["tz"][0] == "+" else -1
    epoch -= sign * (int(match["tz"][1:3]) * 3600 + int(match["tz"][3:]) * 60)
    return LoggedRequest(
        client=match["client"], time=epoch, method=match["method"], path=match["path"],
        status=int(match["status"]), bytes=0 if match["bytes"] == "-" else int(match["bytes"]),
        referer=dash(match["referer"]), user_agent=dash(match["agent"]),
        user=dash(match["user"]), session_id=dash(match["session"]), protocol=match["protocol"])
