"""The data plane: PutRecord(s), GetShardIterator, GetRecords and SubscribeToShard's events.

Puts route each record by its hash key (MD5 of the partition key, or ExplicitHashKey) to the
open shard owning it; a PutRecords call appends each shard's share in one log write and one
fsync (shard.py), so every record of an answered call is on disk. GetRecords and the
subscription read a shard's in-memory index from the iterator's position (a bisect).
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable
from collections.abc import Iterator as GeneratorType
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from lab_localstack.kinesis import errors, iterators, json_responses, keys, throttle
from lab_localstack.kinesis.shard import Shard
from lab_localstack.kinesis.stream import Consumer, Stream

LOG = logging.getLogger(__name__)
MAX_RECORD_BYTES = 1024 * 1024            # data plus partition key, per record
MAX_PUT_BYTES = 5 * 1024 * 1024           # per PutRecords call
MAX_PUT_RECORDS = 500
MAX_GET_RECORDS = 10_000
MAX_GET_BYTES = 10 * 1024 * 1024
SUBSCRIPTION_SECONDS = 300                # AWS ends a SubscribeToShard after 5 minutes
EVENT_INTERVAL = 5.0                      # an event at least this often, records or not
# a call's shards are appended side by side: their fsyncs overlap (ext4 commits them together)
_appenders = ThreadPoolExecutor(8, thread_name_prefix="lab-kinesis-append")
ITERATOR_TYPES = ("AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER", "TRIM_HORIZON", "LATEST", "AT_TIMESTAMP")


def _hash_key(partition_key: str, explicit: str | None, where: str) -> int:
    if not partition_key or len(partition_key) > 256:
        raise errors.validation(f"Value '{partition_key}' at '{where}partitionKey' failed to satisfy constraint: "
                                "Member must have length between 1 and 256")
    if explicit is None:
        return keys.hash_key(partition_key)
    if not explicit.isdigit() or int(explicit) > keys.MAX_HASH_KEY:
        raise errors.invalid(f"Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. "
                             f"Specified value was {explicit}")
    return int(explicit)


def _check_size(data: bytes, key: str, where: str) -> int:
    size = len(data) + len(key.encode("utf-8"))
    if len(data) > MAX_RECORD_BYTES:
        raise errors.validation(f"Value at '{where}data' failed to satisfy constraint: Member must have length "
                                f"less than or equal to {MAX_RECORD_BYTES}")
    return size


def put_record(stream: Stream, data: bytes, partition_key: str, explicit: str | None) -> dict:
    hashed = _hash_key(partition_key, explicit, "")
    size = _check_size(data, partition_key, "")
    shard = stream.route(hashed)
    if not throttle.allow_write(stream.arn, shard.id, size):
        raise errors.ProvisionedThroughputExceededException(throttle.message(shard.id, stream.name, stream.account))
    sequence = shard.append([(partition_key, data)])[0]
    out = {"ShardId": shard.id, "SequenceNumber": sequence}
    if stream.encryption != "NONE":
        out["EncryptionType"] = stream.encryption
    return out


def put_records(stream: Stream, entries: list[dict]) -> dict:
    if not entries or len(entries) > MAX_PUT_RECORDS:
        raise errors.validation(f"Value at 'records' failed to satisfy constraint: Member must have length "
                                f"{'greater than or equal to 1' if not entries else 'less than or equal to 500'}")
    results: list[dict | None] = [None] * len(entries)
    batches: dict[str, tuple[Shard, list[int], list[tuple[str, bytes]]]] = {}
    total = 0
    route = stream.route
    for i, entry in enumerate(entries):
        key, data = entry.get("PartitionKey"), entry.get("Data") or b""
        hashed = _hash_key(key, entry.get("ExplicitHashKey"), f"records.{i + 1}.member.")
        size = _check_size(data, key, f"records.{i + 1}.member.")
        total += size
        shard = route(hashed)
        if not throttle.allow_write(stream.arn, shard.id, size):
            results[i] = {"ErrorCode": "ProvisionedThroughputExceededException",
                          "ErrorMessage": throttle.message(shard.id, stream.name, stream.account)}
            continue
        batch = batches.get(shard.id)
        if batch is None:
            batch = batches[shard.id] = (shard, [], [])
        batch[1].append(i)
        batch[2].append((key, data))
    if total > MAX_PUT_BYTES:
        raise errors.invalid(f"Records size exceeds {MAX_PUT_BYTES // (1024 * 1024)} MB limit")
    groups = list(batches.values())
    if len(groups) == 1:
        appended = [groups[0][0].append(groups[0][2])]
    else:
        appended = list(_appenders.map(lambda group: group[0].append(group[2]), groups))
    for (shard, positions, _), sequences in zip(groups, appended):
        shard_id = shard.id
        for i, sequence in zip(positions, sequences):
            results[i] = {"SequenceNumber": sequence, "ShardId": shard_id}
    failed = sum(1 for r in results if "ErrorCode" in r)
    out = {"FailedRecordCount": failed, "Records": results}
    if stream.encryption != "NONE":
        out["EncryptionType"] = stream.encryption
    return out


def epoch_seconds(value: object) -> float:
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()
    return float(value)


def start_position(shard: Shard, kind: str, sequence: str | None, timestamp: object) -> int:
    """The shard position (sequence counter of the next record) of an iterator type."""
    if kind not in ITERATOR_TYPES:
        raise errors.validation(f"Value '{kind}' at 'shardIteratorType' failed to satisfy constraint: Member must "
                                f"satisfy enum value set: [{', '.join(ITERATOR_TYPES)}]")
    if kind == "TRIM_HORIZON":
        return 0
    if kind == "LATEST":
        return shard.latest_position()
    if kind == "AT_TIMESTAMP":
        if timestamp is None:
            raise errors.invalid("Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. "
                                 "Current request has no timestamp parameter.")
        return shard.position_at_time(epoch_seconds(timestamp))
    if not sequence:
        raise errors.invalid(f"Must specify StartingSequenceNumber for iterator of type {kind}.")
    parsed = keys.parse_sequence(sequence)
    if parsed is None:
        raise errors.invalid(f"StartingSequenceNumber {sequence} used in GetShardIterator on shard {shard.id} "
                             "is not valid.")
    index, counter = parsed
    if index != shard.index:
        raise errors.invalid(f"Invalid StartingSequenceNumber. It encodes {keys.shard_id(index)}, while it was "
                             f"used in a call to a shard with {shard.id}")
    return counter if kind == "AT_SEQUENCE_NUMBER" else counter + 1


def find_shard(stream: Stream, shard_id: str) -> Shard:
    shard = stream.shards.get(shard_id)
    if shard is None:
        raise errors.shard_not_found(shard_id, stream.name, stream.account)
    return shard


def shard_iterator(stream: Stream, shard_id: str, kind: str, sequence: str | None, timestamp: object) -> str:
    shard = find_shard(stream, shard_id)
    position = start_position(shard, kind, sequence, timestamp)
    return iterators.encode(stream.account, stream.region, stream.name, stream.created, shard.id, position)


def _with_encryption(stream: Stream, records: list[dict]) -> list[dict]:
    if stream.encryption == "NONE":
        return records
    return [{**r, "EncryptionType": stream.encryption} for r in records]


def get_records(stream: Stream, it: iterators.Iterator, limit: int | None, as_json: bool = False) -> dict | bytes:
    """The answer; as JSON bytes (json_responses.py) when asked and the stream is not encrypted."""
    if limit is not None and not 1 <= limit <= MAX_GET_RECORDS:
        raise errors.validation(f"Value '{limit}' at 'limit' failed to satisfy constraint: Member must have value "
                                f"between 1 and {MAX_GET_RECORDS}")
    shard = find_shard(stream, it.shard)
    if not throttle.allow_read(stream.arn, shard.id):
        raise errors.ProvisionedThroughputExceededException(throttle.message(shard.id, stream.name, stream.account))
    as_json = as_json and stream.encryption == "NONE"
    records, position, at_end, behind = shard.read(it.position, limit or MAX_GET_RECORDS, MAX_GET_BYTES, as_json)
    out = {"MillisBehindLatest": behind}
    if at_end and not shard.is_open:
        out["ChildShards"] = stream.children_of(shard)
    else:
        out["NextShardIterator"] = iterators.encode(stream.account, stream.region, stream.name, stream.created,
                                                    shard.id, position)
    if as_json:
        return json_responses.get_records(records, out)
    return {"Records": _with_encryption(stream, records), **out}


def subscription(stream: Stream, consumer: Consumer, shard: Shard, position: int,
                 alive: Callable[[], bool]) -> GeneratorType[dict]:
    """SubscribeToShard's events: records as they arrive (at least one event every
    EVENT_INTERVAL seconds), for SUBSCRIPTION_SECONDS, or until the shard's end (an event with
    its ChildShards) or the stream's or consumer's deletion (`alive()` False)."""
    deadline = time.monotonic() + SUBSCRIPTION_SECONDS
    while time.monotonic() < deadline and alive():
        records, position, at_end, behind = shard.read(position, MAX_GET_RECORDS, MAX_GET_BYTES)
        event = {"Records": _with_encryption(stream, records), "MillisBehindLatest": behind}
        if at_end and not shard.is_open:
            event["ChildShards"] = stream.children_of(shard)
            yield {"SubscribeToShardEvent": event}
            return
        event["ContinuationSequenceNumber"] = shard.sequence(max(position - 1, shard.starting_counter))
        yield {"SubscribeToShardEvent": event}
        if records and not at_end:
            continue
        with shard.arrived:
            if shard.last_counter < position and shard.is_open:
                shard.arrived.wait(min(EVENT_INTERVAL, max(0.0, deadline - time.monotonic())))
