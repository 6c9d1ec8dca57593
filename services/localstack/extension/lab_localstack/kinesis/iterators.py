"""Shard iterators: opaque strings naming the stream (and its creation, so an iterator of a
deleted and re-created stream is refused), the shard, the position (the sequence counter of
the next record to return) and the time the iterator was issued; AWS's expire 5 minutes
after they are issued (ExpiredIteratorException)."""
from __future__ import annotations

import base64
import binascii
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from lab_localstack.kinesis import errors

LIFETIME_MS = 300_000
VERSION = "k1"


@dataclass(frozen=True)
class Iterator:
    account: str
    region: str
    stream: str
    created_ms: int
    shard: str
    position: int
    issued_ms: int


def encode(account: str, region: str, stream: str, created: float, shard: str, position: int) -> str:
    text = "|".join((VERSION, account, region, stream, str(int(created * 1000)), shard, str(position),
                     str(int(time.time() * 1000))))
    return base64.b64encode(text.encode()).decode()


def _when(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%a %b %d %H:%M:%S UTC %Y")


def decode(value: str) -> Iterator:
    """The iterator, or InvalidArgumentException / ExpiredIteratorException."""
    value = (value or "").strip().strip('"')
    try:
        parts = base64.b64decode(value.encode(), validate=True).decode().split("|")
        if len(parts) != 8 or parts[0] != VERSION:
            raise ValueError(value)
        it = Iterator(parts[1], parts[2], parts[3], int(parts[4]), parts[5], int(parts[6]), int(parts[7]))
    except (ValueError, UnicodeDecodeError, binascii.Error):
        raise errors.invalid(f"Invalid ShardIterator: {value[:64]}") from None
    now = int(time.time() * 1000)
    if now - it.issued_ms > LIFETIME_MS:
        raise errors.ExpiredIteratorException(
            f"Iterator expired. The iterator was created at time {_when(it.issued_ms)} while right now it is "
            f"{_when(now)} which is further in the future than the tolerated delay of {LIFETIME_MS} milliseconds.")
    return it
