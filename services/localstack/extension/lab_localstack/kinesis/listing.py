"""The paged listings: DescribeStream's shards (Limit, ExclusiveStartShardId), ListShards
(MaxResults, NextToken, ExclusiveStartShardId, ShardFilter), ListStreams (Limit,
ExclusiveStartStreamName, NextToken), ListStreamConsumers, ListTagsForStream.

ShardFilter types (API reference, ShardFilter): AFTER_SHARD_ID (shards after ShardId),
AT_TRIM_HORIZON (the shards open at the trim horizon: the oldest generation whose parents are
gone), FROM_TRIM_HORIZON (all, the default), AT_LATEST (the open shards), AT_TIMESTAMP (the
shards open at Timestamp), FROM_TIMESTAMP (those open at Timestamp or created after it).
"""
from __future__ import annotations

import base64
import binascii

from lab_localstack.kinesis import errors
from lab_localstack.kinesis.records import epoch_seconds
from lab_localstack.kinesis.shard import Shard
from lab_localstack.kinesis.stream import Stream

SHARD_FILTERS = ("AFTER_SHARD_ID", "AT_TRIM_HORIZON", "FROM_TRIM_HORIZON", "AT_LATEST", "AT_TIMESTAMP",
                 "FROM_TIMESTAMP")


def _check_limit(value: int | None, low: int, high: int, member: str, default: int) -> int:
    if value is None:
        return default
    if not low <= value <= high:
        raise errors.validation(f"Value '{value}' at '{member}' failed to satisfy constraint: Member must have "
                                f"value {'greater than or equal to' if value < low else 'less than or equal to'} "
                                f"{low if value < low else high}")
    return value


def token(*parts: str) -> str:
    return base64.urlsafe_b64encode("|".join(parts).encode()).decode()


def untoken(value: str, count: int) -> list[str]:
    try:
        parts = base64.urlsafe_b64decode(value.encode()).decode().split("|")
    except (ValueError, UnicodeDecodeError, binascii.Error):
        parts = []
    if len(parts) != count:
        raise errors.invalid(f"Invalid NextToken: {value[:64]}")
    return parts


def describe_shards(stream: Stream, limit: int | None, after: str | None) -> tuple[list[dict], bool]:
    size = _check_limit(limit, 1, 10000, "limit", 100)
    shards = [s for s in stream.shards.values() if not after or s.id > after]
    return [s.description() for s in shards[:size]], len(shards) > size


def _filtered(stream: Stream, shard_filter: dict | None) -> list[Shard]:
    shards = list(stream.shards.values())
    if not shard_filter:
        return shards
    kind = shard_filter.get("Type")
    if kind not in SHARD_FILTERS:
        raise errors.validation(f"Value '{kind}' at 'shardFilter.type' failed to satisfy constraint: Member must "
                                f"satisfy enum value set: [{', '.join(SHARD_FILTERS)}]")
    if kind == "AFTER_SHARD_ID":
        after = shard_filter.get("ShardId")
        if not after:
            raise errors.invalid("Must specify ShardId in ShardFilter when the ShardFilter type is AFTER_SHARD_ID")
        return [s for s in shards if s.id > after]
    if kind == "FROM_TRIM_HORIZON":
        return shards
    if kind == "AT_LATEST":
        return [s for s in shards if s.is_open]
    if kind == "AT_TRIM_HORIZON":
        known = set(stream.shards)
        return [s for s in shards if not ({s.parent, s.adjacent_parent} & known)]
    if shard_filter.get("Timestamp") is None:
        raise errors.invalid(f"Must specify Timestamp in ShardFilter when the ShardFilter type is {kind}")
    when = epoch_seconds(shard_filter["Timestamp"])
    open_at = [s for s in shards if s.created <= when and (s.closed_at is None or s.closed_at > when)]
    if kind == "AT_TIMESTAMP":
        return open_at or [s for s in shards if s.is_open]
    return [s for s in shards if s.closed_at is None or s.closed_at > when]


def list_shards(stream: Stream, request: dict) -> dict:
    size = _check_limit(request.get("MaxResults"), 1, 10000, "maxResults", 1000)
    after = request.get("ExclusiveStartShardId")
    shard_filter = request.get("ShardFilter")
    if request.get("NextToken"):
        _, _, _, after_token = untoken(request["NextToken"], 4)
        after = after_token or after
    shards = [s for s in _filtered(stream, shard_filter) if not after or s.id > after]
    page = shards[:size]
    out = {"Shards": [s.description() for s in page]}
    if len(shards) > size:
        out["NextToken"] = token(stream.account, stream.region, stream.name, page[-1].id)
    return out


def list_streams(streams: list[Stream], request: dict) -> dict:
    size = _check_limit(request.get("Limit"), 1, 10000, "limit", 100)
    after = request.get("ExclusiveStartStreamName")
    if request.get("NextToken"):
        after = untoken(request["NextToken"], 1)[0]
    ordered = sorted((s for s in streams if not after or s.name > after), key=lambda s: s.name)
    page = ordered[:size]
    out = {"StreamNames": [s.name for s in page], "HasMoreStreams": len(ordered) > size,
           "StreamSummaries": [{"StreamName": s.name, "StreamARN": s.arn, "StreamStatus": s.status(),
                                "StreamModeDetails": s.mode_details(),
                                "StreamCreationTimestamp": s.creation_timestamp()} for s in page]}
    if len(ordered) > size:
        out["NextToken"] = token(page[-1].name)
    return out


def list_consumers(stream: Stream, request: dict) -> dict:
    size = _check_limit(request.get("MaxResults"), 1, 10000, "maxResults", 100)
    consumers = sorted(stream.consumers.values(), key=lambda c: c.name)
    if request.get("NextToken"):
        after = untoken(request["NextToken"], 2)[1]
        consumers = [c for c in consumers if c.name > after]
    page = consumers[:size]
    out = {"Consumers": [c.description() for c in page]}
    if len(consumers) > size:
        out["NextToken"] = token(stream.arn, page[-1].name)
    return out


def list_tags(tags: dict[str, str], after: str | None, limit: int | None) -> dict:
    size = _check_limit(limit, 1, 50, "limit", 50)
    keys = sorted(k for k in tags if not after or k > after)
    return {"Tags": [{"Key": k, "Value": tags[k]} for k in keys[:size]], "HasMoreTags": len(keys) > size}
