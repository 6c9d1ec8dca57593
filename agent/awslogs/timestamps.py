"""Event timestamps from `datetime_format` (strftime directives), as the
CloudWatch Logs agent takes them.

The format is turned into a regular expression that is searched for anywhere in
the message; what it finds is parsed with `strptime`. AWS's agent reference:
when the format does not match a message, the timestamp of the last event whose
timestamp was parsed is used; when there is none yet (or no datetime_format),
the current time.
"""
from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta

# What each supported directive matches (Python strptime's own ranges).
_DIRECTIVES = {
    "a": r"[A-Za-z]{3}", "A": r"[A-Za-z]+", "b": r"[A-Za-z]{3}", "B": r"[A-Za-z]+",
    "d": r"\d{1,2}", "H": r"\d{1,2}", "I": r"\d{1,2}", "j": r"\d{1,3}", "m": r"\d{1,2}",
    "M": r"\d{1,2}", "S": r"\d{1,2}", "f": r"\d{1,6}", "p": r"(?:AM|PM|am|pm)",
    "y": r"\d{2}", "Y": r"\d{4}", "z": r"(?:Z|[+-]\d{2}:?\d{2})", "Z": r"[A-Za-z]{3,5}",
    "%": "%",
}
_YEAR = ("%Y", "%y")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MS = timedelta(milliseconds=1)


class FormatError(ValueError):
    """datetime_format holds a directive the agent cannot match."""


def format_regex(fmt: str) -> str:
    """The regular expression (text) matching what `fmt` formats."""
    out: list[str] = []
    i = 0
    while i < len(fmt):
        c = fmt[i]
        if c == "%":
            if i + 1 >= len(fmt):
                raise FormatError("ends with a lone %")
            d = fmt[i + 1]
            if d not in _DIRECTIVES:
                raise FormatError(f"unsupported directive %{d} (supported: "
                                  f"{' '.join('%' + k for k in _DIRECTIVES)})")
            out.append(_DIRECTIVES[d])
            i += 2
        elif c.isspace():
            while i < len(fmt) and fmt[i].isspace():
                i += 1
            out.append(r"\s+")          # strptime also takes any run of white space
        else:
            out.append(re.escape(c))
            i += 1
    if not any(d in fmt for d in ("%" + k for k in _DIRECTIVES if k != "%")):
        raise FormatError("has no date or time directive")
    return "".join(out)


class TimestampParser:
    """Per log section: event time in epoch milliseconds for each message."""

    def __init__(self, fmt: str | None, utc: bool, clock=time.time):
        self.fmt = fmt
        self.utc = utc
        self.clock = clock
        self.regex = re.compile(format_regex(fmt)) if fmt else None
        self.has_year = bool(fmt) and any(y in fmt for y in _YEAR)
        self.last: int | None = None    # last timestamp parsed from a message
        self.fallbacks = 0              # messages whose timestamp was not parsed

    def __call__(self, message: str) -> int:
        if self.regex is None:
            return int(self.clock() * 1000)
        ts = self._parse(message)
        if ts is None:
            self.fallbacks += 1
            return self.last if self.last is not None else int(self.clock() * 1000)
        self.last = ts
        return ts

    def _parse(self, message: str) -> int | None:
        match = self.regex.search(message)
        if match is None:
            return None
        text, fmt = match.group(0), self.fmt
        tz = UTC if self.utc else None
        if not self.has_year:
            # The current year, given to strptime (so 29 Feb parses in a leap year).
            year = datetime.fromtimestamp(self.clock(), tz).year
            text, fmt = f"{year} {text}", f"%Y {fmt}"
        try:
            dt = datetime.strptime(text, fmt)
        except ValueError:
            return None
        if dt.tzinfo is None:
            if self.utc:
                dt = dt.replace(tzinfo=UTC)
            else:
                dt = dt.astimezone()    # naive = local time (time_zone LOCAL)
        return (dt - _EPOCH) // _MS
