"""The lab Kinesis's settings, from LocalStack's environment (labctl passes them through).

- LAB_KINESIS_STATUS_DELAY: seconds a stream stays CREATING (or UPDATING after a reshard or
  an encryption change) and a consumer CREATING; default 0.5 (kinesis-mock's own default).
- LAB_KINESIS_THROTTLING: `1` turns on AWS's per-shard limits (throttle.py); default off.
"""
from __future__ import annotations

import functools
import os


@functools.cache
def status_delay() -> float:
    raw = os.environ.get("LAB_KINESIS_STATUS_DELAY", "0.5")
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"LAB_KINESIS_STATUS_DELAY must be a number of seconds, got {raw!r}") from None
    return max(0.0, value)


@functools.cache
def throttling() -> bool:
    raw = os.environ.get("LAB_KINESIS_THROTTLING", "0").strip().lower()
    if raw not in ("0", "1", "true", "false", ""):
        raise ValueError(f"LAB_KINESIS_THROTTLING must be 0 or 1, got {raw!r}")
    return raw in ("1", "true")
