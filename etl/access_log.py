"""Split one Apache access-log line into its raw fields.

Accepted lines: the common format, the combined format, and either followed by the
workshop's cookie field `"user = NAME; PHPSESSID=ID"` and/or any other trailing data
(ignored, as the Kinesis Agent's COMBINEDAPACHELOG does):

  %h %l %u %t "%r" %>s %b ["%{Referer}i" "%{User-Agent}i"] ["user = ...; PHPSESSID=..."] ...

Values are returned exactly as logged: Apache's escapes (\\" \\\\ \\xhh) are kept, nothing
is unescaped; "-" -> null and typing happen in etl.document.

Two passes:
- a fast regex for the ordinary line: no backslash before any closing quote, numbers
  without leading zeros, timestamp of the usual 26 characters (validated later);
- a tolerant parser for everything else: escaped quotes (\\") inside quoted fields, a
  request with unescaped quotes, an unterminated last quoted field (a truncated line),
  unquoted trailing data, a cookie field not written exactly as the workshop's LogFormat
  writes it, English full month names.
Both give the same fields for the lines both accept (tests/etl check this).
"""

import re
from typing import NamedTuple


class LogFields(NamedTuple):
    """Raw fields of one line; None where the line does not have the field.

    parse_line returns a plain tuple laid out exactly like this class (the regex's own
    tuple of groups, to save an allocation per record): unpack it, or use
    `LogFields._make(fields)` for names.
    """

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

# How the workshop's cookie field starts ("user = NAME; PHPSESSID=ID").
_COOKIE_START = r"\s*user\s*="
# Status and bytes as Apache writes them; no leading zeros, so the digits are valid JSON
# numbers, and at most 18 digits of bytes, so they fit OpenSearch's `long`.
_STATUS = r"([1-9]\d\d|-)"
_BYTES = r"(0|[1-9]\d{0,17}|-)"

# Fast pass: a quoted field without any escaped quote (a field that has one makes this
# pass fail and the tolerant one read the line).
_PLAIN_FIELD = r'([^"\r\n]*+)(?<!\\)"'
_FAST_LINE = re.compile(
    rf'(\S++) (\S++) (\S++) \[([^\]\r\n]{{26}})\] "{_PLAIN_FIELD} {_STATUS} {_BYTES}'
    rf'(?: "(?!{_COOKIE_START}){_PLAIN_FIELD} "{_PLAIN_FIELD})?'
    r'(?: "user = ([^";\s]*+); PHPSESSID=([^";\s]*+)")?'
    rf'(?: "(?!{_COOKIE_START})[^"\r\n]*+(?<!\\)")*+'
    r"[ \t]*+\r?\n?\Z",
    re.DOTALL,
)

# Tolerant pass. Inside of a quoted field where Apache escaped '"' and '\' with '\'.
_ESCAPED = r'[^"\\]*+(?:\\.[^"\\]*+)*+'
# The request is read escape-aware first; failing that, up to the first quote followed
# by a status and a byte count (old Apache versions did not escape quotes).
_TOLERANT_HEAD = re.compile(
    rf'(\S+) (\S+) (\S+) \[([^\]]{{1,64}})\] "((?:{_ESCAPED})|.*?)" {_STATUS} {_BYTES}(?=\s|\Z)',
    re.DOTALL,
)
# One quoted field after the bytes; the last one may lack its closing quote.
_TRAILING_FIELD = re.compile(rf' +"({_ESCAPED})(?:"|\s*\Z)', re.DOTALL)
_COOKIE_FIELD = re.compile(
    _COOKIE_START + r"\s*([^;]*?)\s*(?:;|\Z)(?:.*?\bPHPSESSID\s*=\s*([^;\s]*))?", re.DOTALL
)


def _cookie_values(field: str) -> tuple[str, str | None] | None:
    match = _COOKIE_FIELD.match(field)
    return (match[1], match[2]) if match else None


def parse_tolerant(line: str) -> LogFields | None:
    """The tolerant pass alone (parse_line uses it when the fast pass fails)."""
    line = line.rstrip("\r\n")  # else an unterminated last field would keep the newline
    if "\n" in line or "\r" in line:  # more than one line: Apache escapes these in fields
        return None
    head = _TOLERANT_HEAD.match(line)
    if head is None:
        return None
    trailing: list[str] = []
    position = head.end()
    while (field := _TRAILING_FIELD.match(line, position)) is not None:
        trailing.append(field[1])
        position = field.end()
    # Whatever follows the quoted fields (e.g. an appended %D) is ignored.

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


def parse_line(line: str) -> tuple | None:
    """The raw fields of `line` laid out as `LogFields`, or None if it is not a line we accept."""
    if len(line) > MAX_LINE_CHARS:
        return None
    fields = parse_fast(line)
    return fields if fields is not None else parse_tolerant(line)


def parse_fast(line: str) -> tuple | None:
    """The fast pass alone: the fields of an ordinary line, else None."""
    match = _FAST_LINE.match(line)
    return None if match is None else match.groups()
