"""moment.js display formats (`moment().format("DD/MMM/YYYY:HH:mm:ss ZZ")`), the formats
KDG's `{{date.now(...)}}` takes, and JavaScript's `Date.prototype.toString()`, which
faker.js's dates (date.past/future/recent) turn into inside a template.

Supported tokens: YYYY YY Q M MM MMM MMMM D DD Do DDD DDDD d dd ddd dddd E H HH h hh
k kk m mm s ss S SS SSS A a Z ZZ X x, and [escaped text]."""

from __future__ import annotations

import re
from datetime import datetime

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]
DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]

ISO_FORMAT = "YYYY-MM-DDTHH:mm:ssZ"  # moment().format() with no argument


def _ordinal(n: int) -> str:
    if 11 <= n % 100 <= 13:
        return f"{n}th"
    return f"{n}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def _offset(dt: datetime, colon: bool) -> str:
    seconds = int(dt.utcoffset().total_seconds()) if dt.utcoffset() is not None else 0
    sign = "-" if seconds < 0 else "+"
    hours, minutes = divmod(abs(seconds) // 60, 60)
    return f"{sign}{hours:02d}{':' if colon else ''}{minutes:02d}"


def _weekday(dt: datetime) -> int:
    """0 = Sunday, as JavaScript's getDay()."""
    return (dt.weekday() + 1) % 7


_TOKENS = {
    "YYYY": lambda d: f"{d.year:04d}",
    "YY": lambda d: f"{d.year % 100:02d}",
    "Q": lambda d: str((d.month - 1) // 3 + 1),
    "MMMM": lambda d: MONTHS[d.month - 1],
    "MMM": lambda d: MONTHS[d.month - 1][:3],
    "MM": lambda d: f"{d.month:02d}",
    "M": lambda d: str(d.month),
    "DDDD": lambda d: f"{d.timetuple().tm_yday:03d}",
    "DDD": lambda d: str(d.timetuple().tm_yday),
    "DD": lambda d: f"{d.day:02d}",
    "Do": lambda d: _ordinal(d.day),
    "D": lambda d: str(d.day),
    "dddd": lambda d: DAYS[_weekday(d)],
    "ddd": lambda d: DAYS[_weekday(d)][:3],
    "dd": lambda d: DAYS[_weekday(d)][:2],
    "d": lambda d: str(_weekday(d)),
    "E": lambda d: str(d.isoweekday()),
    "HH": lambda d: f"{d.hour:02d}",
    "H": lambda d: str(d.hour),
    "hh": lambda d: f"{(d.hour % 12) or 12:02d}",
    "h": lambda d: str((d.hour % 12) or 12),
    "kk": lambda d: f"{d.hour or 24:02d}",
    "k": lambda d: str(d.hour or 24),
    "mm": lambda d: f"{d.minute:02d}",
    "m": lambda d: str(d.minute),
    "ss": lambda d: f"{d.second:02d}",
    "s": lambda d: str(d.second),
    "SSS": lambda d: f"{d.microsecond // 1000:03d}",
    "SS": lambda d: f"{d.microsecond // 10000:02d}",
    "S": lambda d: str(d.microsecond // 100000),
    "A": lambda d: "AM" if d.hour < 12 else "PM",
    "a": lambda d: "am" if d.hour < 12 else "pm",
    "ZZ": lambda d: _offset(d, colon=False),
    "Z": lambda d: _offset(d, colon=True),
    "X": lambda d: str(int(d.timestamp())),
    "x": lambda d: str(int(d.timestamp() * 1000)),
}
# Longest tokens first, so "MMMM" wins over "MM"; [text] is copied without the brackets.
_PATTERN = re.compile(r"\[([^\]]*)\]|" + "|".join(sorted(_TOKENS, key=len, reverse=True)))


def format_moment(dt: datetime, fmt: str | None = None) -> str:
    """`dt` (time-zone aware) as moment.js's `format(fmt)`; no fmt = ISO 8601 with offset."""
    def replace(match: re.Match) -> str:
        if match.group(1) is not None:
            return match.group(1)
        return _TOKENS[match.group(0)](dt)

    return _PATTERN.sub(replace, ISO_FORMAT if fmt is None else fmt)


def js_date_string(dt: datetime) -> str:
    """JavaScript's `String(date)`: `Tue Dec 01 2026 07:04:53 GMT+0000 (UTC)`."""
    zone = dt.tzname() or "UTC"
    return format_moment(dt, "ddd MMM DD YYYY HH:mm:ss [GMT]ZZ") + f" ({zone})"
