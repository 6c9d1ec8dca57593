"""Split one Apache access-log line into its raw fields.

Accepted lines: the common format, the combined format, and either followed by the
workshop's cookie field `"user = NAME; PHPSESSID=ID"` and/or any other trailing quoted
fields (ignored, as the Kinesis Agent's COMBINEDAPACHELOG does):

  %h %l %u %t "%r" %>s %b ["%{Referer}i" "%{User-Agent}i"] ["user = ...; PHPSESSID=..."] ["..."]*

Values are returned exactly as logged (Apache's own escapes such as \\" and \\xhh are
kept); turning "-" into null and typing happen in etl.document.

Two passes: a strict regex that matches well-formed lines in one go (the hot path), and
a tolerant parser for the rest: unescaped quotes inside the request, an unterminated
last quoted field (a truncated line), unquoted trailing data, and English full month
names. Both return the same `LogFields` for lines both accept.
"""

import re
from typing import NamedTuple


class LogFields(NamedTuple):
    """Raw fields of one line; None where the line does not have the field."""

    host: str
    ident: str
    authuser: str
    timestamp: str  # inside of the [...]: "03/Nov/2018:04:29:26 +0000"
    request: str  # the request line as logged, without its quotes
    status: str  # three digits or "-"
    bytes: str  # digits or "-"
    referer: str | None
    user_agent: str | None
    username: str | None  # from the workshop's "user = NAME; PHPSESSID=ID" field
    session_id: str | None


# Longest access-log line accepted: Firehose itself refuses records over 1,000 KiB.
MAX_LINE_CHARS = 1_024_000

# Inside of a double-quoted field in which Apache escaped '"' and '\' with a backslash.
_QUOTED = r'[^"\\]*+(?:\\.[^"\\]*+)*+'

_STRICT_LINE = re.compile(
    r"(\S++) (\S++) (\S++) "
    r"\[(\d\d/[A-Za-z]{3}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4})\] "
    rf'"({_QUOTED})" (\d{{3}}|-) (\d++|-)'
    rf'(?: "({_QUOTED})" "({_QUOTED})")?'
    r'(?: "user = ([^";]*+); PHPSESSID=([^";]*+)")?'
    rf'(?: "{_QUOTED}")*+'
    r"\s*+\Z",
    re.DOTALL,
)

# The tolerant pass: the request runs to the first '" STATUS BYTES' (so unescaped quotes
# inside it are fine); everything after the bytes is examined separately.
_TOLERANT_HEAD = re.compile(
    r"(\S+) (\S+) (\S+) \[([^\]]{1,64})\] "
    r'"(.*?)" (\d{3}|-) (\d+|-)(?=\s|\Z)',
    re.DOTALL,
)
# One quoted field after the bytes; the last one may lack its closing quote.
_TRAILING_FIELD = re.compile(rf' +"({_QUOTED})(?:"|\s*\Z)', re.DOTALL)
_COOKIE_FIELD = re.compile(r"\s*user\s*=\s*([^;]*?)\s*;\s*PHPSESSID\s*=\s*([^;\s]*)")


def _cookie_values(field: str) -> tuple[str, str] | None:
    match = _COOKIE_FIELD.match(field)
    return (match[1], match[2]) if match else None


def _parse_tolerant(line: str) -> LogFields | None:
    head = _TOLERANT_HEAD.match(line)
    if head is None:
        return None
    trailing: list[str] = []
    position = head.end()
    while (field := _TRAILING_FIELD.match(line, position)) is not None:
        trailing.append(field[1])
        position = field.end()
    # Anything after the quoted fields (e.g. an appended %D) is ignored.

    referer = user_agent = None
    if len(trailing) >= 2 and _cookie_values(trailing[0]) is None:
        referer, user_agent = trailing[0], trailing[1]
        trailing = trailing[2:]
    username = session_id = None
    for field in trailing:
        cookie = _cookie_values(field)
        if cookie is not None:
            username, session_id = cookie
            break
    return LogFields(*head.groups(), referer, user_agent, username, session_id)


def parse_line(line: str) -> LogFields | None:
    """The raw fields of `line`, or None when it is not an access-log line we accept."""
    match = _STRICT_LINE.match(line)
    if match is not None:
        return LogFields._make(match.groups())
    if len(line) > MAX_LINE_CHARS:
        return None
    return _parse_tolerant(line)
