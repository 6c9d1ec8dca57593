"""The one clock of the delivery code: milliseconds since the epoch, as AWS's Firehose reports
arrival and processing times (approximateArrivalTimestamp, the error records' timestamps)."""
from __future__ import annotations

import time


def now_ms() -> int:
    return int(time.time() * 1000)
