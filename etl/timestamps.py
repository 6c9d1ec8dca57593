"""Apache `%t` timestamps -> ISO 8601 strings, without a general-purpose date parser.

`[03/Nov/2018:04:29:26 +0100]` gives
  @timestamp      "2018-11-03T04:29:26+01:00"  (local time with its offset)
  @timestamp_utc  "2018-11-03T03:29:26Z"       (the same instant in UTC)
  timezone        "+0100"                      (the offset as logged)

Called once per distinct timestamp string (etl.document memoizes the result), so a
small regex and a datetime subtraction are fine here.
"""

import re
from datetime import datetime, timedelta

# Apache always writes English month abbreviations; full English names are accepted too
# because other tools (and the logstash HTTPDATE tests) produce them.
_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
            ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
            ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}

_TIMESTAMP = re.compile(
    r"(\d{1,2})/([A-Za-z]{3,9})/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})"
)


def convert_timestamp(text: str) -> tuple[str, str, str]:
    """(@timestamp, @timestamp_utc, timezone) of the inside of an Apache `[...]` timestamp.

    Raises ValueError for anything that is not a valid timestamp.
    """
    match = _TIMESTAMP.fullmatch(text)
    if match is None:
        raise ValueError(f"not an Apache timestamp: {text[:40]!r}")
    day, month_name, year, hour, minute, second, sign, off_h, off_m = match.groups()
    month = _MONTHS.get(month_name.lower())
    if month is None:
        raise ValueError(f"unknown month {month_name!r}")
    if int(off_m) >= 60:
        raise ValueError(f"invalid UTC offset {sign}{off_h}{off_m}")
    # datetime validates the calendar (day of month, hour < 24, ...).
    local = datetime(int(year), month, int(day), int(hour), int(minute), int(second))
    offset = timedelta(hours=int(off_h), minutes=int(off_m))
    try:
        utc = local - offset if sign == "+" else local + offset
    except OverflowError:
        raise ValueError(f"timestamp out of range: {text!r}") from None
    return (
        f"{local.isoformat()}{sign}{off_h}:{off_m}",
        f"{utc.isoformat()}Z",
        f"{sign}{off_h}{off_m}",
    )

