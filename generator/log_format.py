"""The workshop's access-log line, written exactly as Apache writes it.

LogFormat (services/apache/httpd-lab.conf):
    %h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i" "user = %{user}C; PHPSESSID=%{PHPSESSID}C"

`format_line(LoggedRequest)` is the reference rendering. The line is built from
fragments (client, timestamp, request, referer, visitor) so that file mode can
cache the fragments that repeat (a visitor's user agent and cookies, a page's
request line) and still produce the very same bytes; see `FragmentCache`.

Apache escapes the request line, headers and cookie values: `"` and `\\` get a
backslash, \\b \\n \\r \\t \\v their C escapes, other bytes below 0x20 or from
0x7f up become \\xhh (of the UTF-8 encoding). A missing value is logged as `-`,
as is a body of 0 bytes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

PROTOCOL = "HTTP/1.1"
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_C_ESCAPES = {0x08: "\\b", 0x0A: "\\n", 0x0D: "\\r", 0x09: "\\t", 0x0B: "\\v",
              0x22: '\\"', 0x5C: "\\\\"}


@dataclass(frozen=True)
class LoggedRequest:
    """One request as the access log records it."""

    client: str                # %h: the client address
    time: float                # %t: epoch seconds
    method: str
    path: str
    status: int                # %>s
    bytes: int                 # %b: 0 is logged as "-"
    referer: str | None        # None: no Referer header
    user_agent: str | None
    user: str | None           # the `user` cookie; None: no such cookie
    session_id: str | None     # the `PHPSESSID` cookie
    protocol: str = PROTOCOL


def escape(value: str | None) -> str:
    """Apache's ap_escape_logitem, with `-` for a missing value."""
    if value is None:
        return "-"
    if value.isascii() and value.isprintable() and '"' not in value and "\\" not in value:
        return value
    out = []
    for byte in value.encode("utf-8"):
        if byte in _C_ESCAPES:
            out.append(_C_ESCAPES[byte])
        elif byte < 0x20 or byte >= 0x7F:
            out.append(f"\\x{byte:02x}")
        else:
            out.append(chr(byte))
    return "".join(out)


def parse_tz(offset: str) -> int:
    """'+HHMM' or '-HHMM' -> offset in seconds east of UTC."""
    if len(offset) != 5 or offset[0] not in "+-" or not offset[1:].isdigit():
        raise ValueError(f"time zone {offset!r} is not +HHMM or -HHMM")
    hours, minutes = int(offset[1:3]), int(offset[3:5])
    if hours > 14 or minutes > 59:
        raise ValueError(f"time zone {offset!r} is out of range")
    seconds = hours * 3600 + minutes * 60
    return seconds if offset[0] == "+" else -seconds


def tz_string(offset_seconds: int) -> str:
    sign = "+" if offset_seconds >= 0 else "-"
    minutes = abs(offset_seconds) // 60
    return f"{sign}{minutes // 60:02d}{minutes % 60:02d}"


def timestamp_fragment(epoch: float, tz_offset: int = 0) -> str:
    """%t without the brackets: 03/Nov/2018:04:29:26 +0000."""
    t = time.gmtime(int(epoch) + tz_offset)
    return (f"{t.tm_mday:02d}/{_MONTHS[t.tm_mon - 1]}/{t.tm_year}:"
            f"{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} {tz_string(tz_offset)}")


def client_fragment(client: str) -> str:
    """`%h %l %u [` (no identd, no authenticated user)."""
    return f"{client} - - ["


def request_fragment(method: str, path: str, status: int, body_bytes: int,
                     protocol: str = PROTOCOL) -> str:
    """`] "%r" %>s %b "` : from the end of the timestamp to the referer."""
    size = str(body_bytes) if body_bytes else "-"
    return f'] "{escape(f"{method} {path} {protocol}")}" {status} {size} "'


def referer_fragment(referer: str | None) -> str:
    return escape(referer)


def visitor_fragment(user_agent: str | None, user: str | None, session_id: str | None) -> str:
    """`" "%{User-Agent}i" "user = ...; PHPSESSID=..."` and the newline."""
    return (f'" "{escape(user_agent)}" "user = {escape(user)}; '
            f'PHPSESSID={escape(session_id)}"\n')


def format_line(request: LoggedRequest, tz_offset: int = 0) -> str:
    """The access-log line Apache writes for `request`, newline included."""
    return "".join((
        client_fragment(request.client),
        timestamp_fragment(request.time, tz_offset),
        request_fragment(request.method, request.path, request.status, request.bytes,
                         request.protocol),
        referer_fragment(request.referer),
        visitor_fragment(request.user_agent, request.user, request.session_id),
    ))


class FragmentCache:
    """Memoised fragments for the hot loop of file mode (same output as format_line)."""

    def __init__(self, tz_offset: int = 0) -> None:
        self.tz_offset = tz_offset
        self._second = -1
        self._timestamp = ""
        self._requests: dict[tuple[str, str, int, int], str] = {}
        self.referers: dict[str | None, str] = {}   # read directly by the hot loop
        self._escaped: dict[str | None, str] = {}

    def timestamp(self, epoch: float) -> str:
        second = int(epoch)
        if second != self._second:
            self._second = second
            self._timestamp = timestamp_fragment(second, self.tz_offset)
        return self._timestamp

    def request(self, method: str, path: str, status: int, body_bytes: int) -> str:
        key = (method, path, status, body_bytes)
        fragment = self._requests.get(key)
        if fragment is None:
            fragment = self._requests[key] = request_fragment(method, path, status, body_bytes)
        return fragment

    def referer(self, referer: str | None) -> str:
        fragment = self.referers.get(referer)
        if fragment is None:
            fragment = self.referers[referer] = referer_fragment(referer)
        return fragment

    def visitor(self, user_agent: str | None, user: str | None, session_id: str | None) -> str:
        """visitor_fragment(), with the user agent's and user's escapes memoised."""
        escaped = self._escaped
        agent = escaped.get(user_agent)
        if agent is None:
            agent = escaped[user_agent] = escape(user_agent)
        name = escaped.get(user)
        if name is None:
            name = escaped[user] = escape(user)
        return f'" "{agent}" "user = {name}; PHPSESSID={escape(session_id)}"\n'
