"""One Kinesis data stream: its settings, tags, consumers, and its shards with the routing of
hash keys to the open ones (a bisect over their starting keys) and resharding (SplitShard,
MergeShards, UpdateShardCount close shards and open children, as AWS does).

Statuses follow AWS's: a new stream is CREATING, a resharded or re-encrypted one UPDATING,
a new consumer CREATING, for `settings.status_delay()` seconds, then ACTIVE. The change
itself is applied at once; the status is read from the time it was made (no timers).
"""
from __future__ import annotations

import bisect
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from lab_localstack.kinesis import keys, settings
from lab_localstack.kinesis.shard import Shard


@dataclass
class Consumer:
    name: str
    arn: str
    created: float
    policy: str | None = None

    def status(self) -> str:
        return "ACTIVE" if time.time() >= self.created + settings.status_delay() else "CREATING"

    def description(self, stream_arn: str | None = None) -> dict:
        out = {"ConsumerName": self.name, "ConsumerARN": self.arn, "ConsumerStatus": self.status(),
               "ConsumerCreationTimestamp": datetime.fromtimestamp(self.created, UTC)}
        if stream_arn:
            out["StreamARN"] = stream_arn
        return out


@dataclass
class Stream:
    account: str
    region: str
    name: str
    arn: str
    folder: Path
    created: float
    mode: str = "PROVISIONED"
    retention_hours: int = 24
    tags: dict[str, str] = field(default_factory=dict)
    consumers: dict[str, Consumer] = field(default_factory=dict)     # by name
    encryption: str = "NONE"
    key_id: str | None = None
    shard_metrics: list[str] = field(default_factory=list)
    policy: str | None = None
    updated: float = 0.0              # when the last UPDATING change was made
    next_index: int = 0
    shards: dict[str, Shard] = field(default_factory=dict)            # by id, in creation order
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)
    _routes: tuple[list[int], list[Shard]] = field(default=([], []), repr=False)

    # --- status ----------------------------------------------------------------------------
    def status(self) -> str:
        now, delay = time.time(), settings.status_delay()
        if now < self.created + delay:
            return "CREATING"
        return "UPDATING" if now < self.updated + delay else "ACTIVE"

    def mark_updating(self) -> None:
        self.updated = time.time()

    # --- shards ----------------------------------------------------------------------------
    def open_shards(self) -> list[Shard]:
        return [s for s in self.shards.values() if s.is_open]

    def _new_shard(self, start: int, end: int, now: float, parent: str | None = None,
                   adjacent: str | None = None) -> Shard:
        index = self.next_index
        self.next_index += 1
        shard = Shard(index, start, end, now, keys.clock_counter(), self.folder / "shards" / keys.shard_id(index),
                      parent, adjacent)
        self.shards[shard.id] = shard
        return shard

    def add_initial_shards(self, count: int) -> None:
        now = time.time()
        for start, end in keys.even_ranges(count):
            self._new_shard(start, end, now)
        self.reroute()

    def reroute(self) -> None:
        open_shards = sorted(self.open_shards(), key=lambda s: s.start_hash)
        self._routes = ([s.start_hash for s in open_shards], open_shards)

    def route(self, hash_key: int) -> Shard:
        starts, shards = self._routes
        return shards[bisect.bisect_right(starts, hash_key) - 1]

    def split(self, shard: Shard, new_start: int) -> list[Shard]:
        now = time.time()
        shard.close(now)
        children = [self._new_shard(shard.start_hash, new_start - 1, now, shard.id),
                    self._new_shard(new_start, shard.end_hash, now, shard.id)]
        self.reroute()
        return children

    def merge(self, shard: Shard, adjacent: Shard) -> Shard:
        now = time.time()
        shard.close(now)
        adjacent.close(now)
        child = self._new_shard(min(shard.start_hash, adjacent.start_hash), max(shard.end_hash, adjacent.end_hash),
                                now, shard.id, adjacent.id)
        self.reroute()
        return child

    def rescale(self, count: int) -> None:
        """UpdateShardCount's UNIFORM_SCALING: every open shard closed, `count` even children,
        each child's parents being the old shards its range overlaps (at most two named)."""
        now = time.time()
        old = sorted(self.open_shards(), key=lambda s: s.start_hash)
        for shard in old:
            shard.close(now)
        for start, end in keys.even_ranges(count):
            overlapping = [s.id for s in old if s.start_hash <= end and s.end_hash >= start]
            self._new_shard(start, end, now, overlapping[0] if overlapping else None,
                            overlapping[1] if len(overlapping) > 1 else None)
        self.reroute()

    def children_of(self, shard: Shard) -> list[dict]:
        children = [s for s in self.shards.values() if shard.id in (s.parent, s.adjacent_parent)]
        return [{"ShardId": s.id, "ParentShards": [p for p in (s.parent, s.adjacent_parent) if p],
                 "HashKeyRange": {"StartingHashKey": str(s.start_hash), "EndingHashKey": str(s.end_hash)}}
                for s in children]

    def trim(self) -> int:
        horizon = time.time() - self.retention_hours * 3600
        return sum(shard.trim(horizon) for shard in list(self.shards.values()))

    # --- descriptions ----------------------------------------------------------------------
    def creation_timestamp(self) -> datetime:
        return datetime.fromtimestamp(self.created, UTC)

    def mode_details(self) -> dict:
        return {"StreamMode": self.mode}

    def summary(self) -> dict:
        out = {"StreamName": self.name, "StreamARN": self.arn, "StreamStatus": self.status(),
               "StreamModeDetails": self.mode_details(), "RetentionPeriodHours": self.retention_hours,
               "StreamCreationTimestamp": self.creation_timestamp(),
               "EnhancedMonitoring": [{"ShardLevelMetrics": list(self.shard_metrics)}],
               "EncryptionType": self.encryption, "OpenShardCount": len(self.open_shards()),
               "ConsumerCount": len(self.consumers)}
        if self.key_id:
            out["KeyId"] = self.key_id
        return out

    def to_meta(self) -> dict:
        return {"account": self.account, "region": self.region, "name": self.name, "arn": self.arn,
                "created": self.created, "mode": self.mode, "retention_hours": self.retention_hours,
                "tags": self.tags, "encryption": self.encryption, "key_id": self.key_id,
                "shard_metrics": self.shard_metrics, "policy": self.policy, "updated": self.updated,
                "next_index": self.next_index,
                "consumers": [{"name": c.name, "arn": c.arn, "created": c.created, "policy": c.policy}
                              for c in self.consumers.values()],
                "shards": [s.to_meta() for s in self.shards.values()]}

    @classmethod
    def from_meta(cls, meta: dict, folder: Path) -> Stream:
        stream = cls(meta["account"], meta["region"], meta["name"], meta["arn"], folder, meta["created"],
                     meta["mode"], meta["retention_hours"], meta["tags"], {}, meta["encryption"], meta["key_id"],
                     meta["shard_metrics"], meta.get("policy"), meta.get("updated", 0.0), meta["next_index"])
        for c in meta["consumers"]:
            stream.consumers[c["name"]] = Consumer(c["name"], c["arn"], c["created"], c.get("policy"))
        for s in meta["shards"]:
            shard = Shard.from_meta(s, folder / "shards" / keys.shard_id(s["index"]))
            stream.shards[shard.id] = shard
        stream.reroute()
        return stream
