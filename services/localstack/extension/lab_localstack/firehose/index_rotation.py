"""Index names under IndexRotationPeriod, from a record's arrival time (UTC).

NoRotation `apache`, OneHour `apache-2016-02-25-13`, OneDay `apache-2016-02-25`,
OneWeek `apache-2016-w08` (weeks start on Sunday, like strftime's %U),
OneMonth `apache-2016-02`.
"""
from __future__ import annotations

from datetime import UTC, datetime

_SUFFIXES = {
    "NoRotation": "",
    "OneHour": "-%Y-%m-%d-%H",
    "OneDay": "-%Y-%m-%d",
    "OneWeek": "-%Y-w%U",
    "OneMonth": "-%Y-%m",
}
ROTATION_PERIODS = tuple(_SUFFIXES)


def index_name(base: str, rotation: str, arrival_ms: int) -> str:
    when = datetime.fromtimestamp(arrival_ms / 1000, tz=UTC)
    return base + when.strftime(_SUFFIXES[rotation])
