"""Hash keys, sequence numbers and shard ids, shaped like AWS's.

- A record's hash key is the MD5 of its partition key read as a 128-bit unsigned integer
  (or its ExplicitHashKey); a shard owns an inclusive range of them, and a new stream's N
  shards split [0, 2^128 - 1] evenly (the i-th starts at i * 2^128 // N, as AWS's do).
- A sequence number is a 56-digit decimal string: 49 * 10^54 (AWS's numbers start with 49),
  plus the shard's index * 10^40, plus a per-shard counter that grows strictly (the wall
  clock in nanoseconds, or the previous counter + 1). So numbers grow strictly per shard,
  survive restarts (the counter is stored with each record) and name their shard.
"""
from __future__ import annotations

import hashlib
import time

HASH_SPACE = 1 << 128
MAX_HASH_KEY = HASH_SPACE - 1
SEQUENCE_PREFIX = 49 * 10 ** 54
SHARD_SPAN = 10 ** 40


def hash_key(partition_key: str) -> int:
    return int.from_bytes(hashlib.md5(partition_key.encode("utf-8")).digest(), "big")


def even_ranges(count: int) -> list[tuple[int, int]]:
    """`count` contiguous hash key ranges covering the whole space."""
    starts = [i * HASH_SPACE // count for i in range(count)]
    return [(start, (starts[i + 1] - 1) if i + 1 < count else MAX_HASH_KEY) for i, start in enumerate(starts)]


def shard_id(index: int) -> str:
    return f"shardId-{index:012d}"


def shard_index(shard: str) -> int | None:
    """The index of `shardId-000000000007` (7), or None for anything else."""
    prefix, _, digits = shard.rpartition("-")
    return int(digits) if prefix.endswith("shardId") and digits.isdigit() else None


def shard_base(index: int) -> int:
    return SEQUENCE_PREFIX + index * SHARD_SPAN


def sequence_number(index: int, counter: int) -> str:
    return str(shard_base(index) + counter)


def parse_sequence(value: str) -> tuple[int, int] | None:
    """(shard index, counter) of a sequence number, or None when it is not one of ours."""
    if not isinstance(value, str) or not value.isdigit():
        return None
    offset = int(value) - SEQUENCE_PREFIX
    if offset < 0:
        return None
    return divmod(offset, SHARD_SPAN)


def clock_counter() -> int:
    return time.time_ns()
