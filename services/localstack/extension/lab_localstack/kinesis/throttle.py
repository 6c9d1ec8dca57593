"""AWS's per-shard limits, when LAB_KINESIS_THROTTLING=1 (off by default): writes of 1 MiB/s
and 1,000 records/s per shard, reads of 5 GetRecords calls/s per shard (Kinesis Data Streams
developer guide, "Quotas and limits"). Counted in one-second windows; a put over the limit is
refused per record (PutRecords) or as a whole (PutRecord), a read as a whole, with
ProvisionedThroughputExceededException.

LocalStack's fault injection KINESIS_ERROR_PROBABILITY (0.0-1.0, default 0) is honoured as
LocalStack's own provider does: a put is refused with that probability (here each record of
a PutRecords call on its own, the partial failure AWS answers under load).
"""
from __future__ import annotations

import random
import threading
import time
from collections import defaultdict

from localstack import config

from lab_localstack.kinesis import settings

WRITE_BYTES = 1024 * 1024
WRITE_RECORDS = 1000
READ_CALLS = 5

_lock = threading.Lock()
_windows: dict[tuple[str, str, str], list[float]] = defaultdict(lambda: [0, 0.0, 0.0])  # [second, a, b]


def _window(kind: str, stream_arn: str, shard: str) -> list[float]:
    window = _windows[(kind, stream_arn, shard)]
    second = int(time.monotonic())
    if window[0] != second:
        window[:] = [second, 0.0, 0.0]
    return window


def allow_write(stream_arn: str, shard: str, size: int) -> bool:
    """Count one record of `size` bytes against the shard's write limits; False if over."""
    if config.KINESIS_ERROR_PROBABILITY and random.random() < config.KINESIS_ERROR_PROBABILITY:
        return False
    if not settings.throttling():
        return True
    with _lock:
        window = _window("write", stream_arn, shard)
        if window[1] + 1 > WRITE_RECORDS or window[2] + size > WRITE_BYTES:
            return False
        window[1] += 1
        window[2] += size
        return True


def allow_read(stream_arn: str, shard: str) -> bool:
    if not settings.throttling():
        return True
    with _lock:
        window = _window("read", stream_arn, shard)
        if window[1] + 1 > READ_CALLS:
            return False
        window[1] += 1
        return True


def message(shard: str, stream: str, account: str) -> str:
    return f"Rate exceeded for shard {shard} in stream {stream} under account {account}."
