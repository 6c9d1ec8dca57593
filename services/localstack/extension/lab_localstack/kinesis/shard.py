"""One shard: its hash key range and lineage, and its records, indexed in memory in arrival
order (parallel lists of sequence counters, arrival times, cumulative sizes and the records
as GetRecords returns them), so an iterator's position is a bisect, never a scan.

A put assigns the counters, appends the frames to the shard's log (shard_log.py), fsync'd,
and only then makes the records visible to readers: what a reader sees survives a crash.
"""
from __future__ import annotations

import base64
import bisect
import json
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from lab_localstack.kinesis import keys
from lab_localstack.kinesis.shard_log import Entry, ShardLog


class Shard:
    def __init__(self, index: int, start_hash: int, end_hash: int, created: float, starting_counter: int,
                 folder: Path, parent: str | None = None, adjacent_parent: str | None = None,
                 closed_at: float | None = None, ending_counter: int | None = None) -> None:
        self.index = index
        self.id = keys.shard_id(index)
        self.start_hash, self.end_hash = start_hash, end_hash
        self.parent, self.adjacent_parent = parent, adjacent_parent
        self.created, self.closed_at = created, closed_at
        self.starting_counter, self.ending_counter = starting_counter, ending_counter
        self.log = ShardLog(folder)
        self.lock = threading.Lock()              # one writer at a time (log and counters)
        self.index_lock = threading.Lock()        # the in-memory index, held only briefly
        self.arrived = threading.Condition(threading.Lock())   # notified after each visible put
        self.counters: list[int] = []
        self.times: list[float] = []
        self.cumulative: list[int] = [0]      # bytes of the records before each position
        self.records: list[dict] = []
        self.fragments: list[bytes] = []      # each record as GetRecords' JSON (json_responses.py)
        self.last_counter = starting_counter - 1

    # --- metadata --------------------------------------------------------------------------
    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    def sequence(self, counter: int) -> str:
        return keys.sequence_number(self.index, counter)

    def description(self) -> dict:
        out = {"ShardId": self.id}
        if self.parent:
            out["ParentShardId"] = self.parent
        if self.adjacent_parent:
            out["AdjacentParentShardId"] = self.adjacent_parent
        out["HashKeyRange"] = {"StartingHashKey": str(self.start_hash), "EndingHashKey": str(self.end_hash)}
        seq_range = {"StartingSequenceNumber": self.sequence(self.starting_counter)}
        if self.ending_counter is not None:
            seq_range["EndingSequenceNumber"] = self.sequence(self.ending_counter)
        out["SequenceNumberRange"] = seq_range
        return out

    def to_meta(self) -> dict:
        return {"index": self.index, "start_hash": str(self.start_hash), "end_hash": str(self.end_hash),
                "parent": self.parent, "adjacent_parent": self.adjacent_parent, "created": self.created,
                "closed_at": self.closed_at, "starting_counter": self.starting_counter,
                "ending_counter": self.ending_counter}

    @classmethod
    def from_meta(cls, meta: dict, folder: Path) -> Shard:
        return cls(meta["index"], int(meta["start_hash"]), int(meta["end_hash"]), meta["created"],
                   meta["starting_counter"], folder, meta.get("parent"), meta.get("adjacent_parent"),
                   meta.get("closed_at"), meta.get("ending_counter"))

    def close(self, when: float) -> None:
        with self.lock:
            self.closed_at = when
            self.ending_counter = max(self.last_counter, self.starting_counter)
            self.log.close()
        with self.arrived:
            self.arrived.notify_all()

    # --- records ---------------------------------------------------------------------------
    def _publish(self, entries: list[Entry]) -> None:
        if not entries:
            return
        total = self.cumulative[-1]
        sizes, records, fragments = [], [], []
        stamp, stamped, epoch = None, None, ""
        base = keys.shard_base(self.index)
        for counter, arrival, key, data in entries:
            total += len(data) + len(key)
            sizes.append(total)
            if arrival != stamped:     # AWS's arrival times are whole milliseconds, in JSON and CBOR alike
                ms = round(arrival * 1000)
                stamp = datetime.fromtimestamp(ms // 1000, UTC).replace(microsecond=ms % 1000 * 1000)
                stamped, epoch = arrival, f"{ms // 1000}.{ms % 1000:03d}"
            sequence = str(base + counter)
            records.append({"SequenceNumber": sequence, "ApproximateArrivalTimestamp": stamp,
                            "Data": data, "PartitionKey": key})
            fragments.append(b'{"SequenceNumber":"%s","ApproximateArrivalTimestamp":%s,"Data":"%s",'
                             b'"PartitionKey":%s}' % (sequence.encode(), epoch.encode(), base64.b64encode(data),
                                                      json.dumps(key).encode()))
        with self.index_lock:
            self.fragments.extend(fragments)
            self.records.extend(records)
            self.times.extend(e[1] for e in entries)
            self.cumulative.extend(sizes)
            self.counters.extend(e[0] for e in entries)
            self.last_counter = entries[-1][0]

    def load(self) -> int:
        """The records of the shard's log into memory; how many."""
        entries = self.log.load()
        self._publish(entries)
        return len(entries)

    def append(self, batch: list[tuple[str, bytes]]) -> list[str]:
        """Store (partition key, data) pairs; their sequence numbers, once on disk."""
        with self.lock:
            now = int(time.time() * 1000) / 1000
            if self.times and now < self.times[-1]:
                now = self.times[-1]          # the wall clock stepped back: arrival order holds
            counter = max(self.last_counter + 1, keys.clock_counter())
            entries = [(counter + i, now, key, data) for i, (key, data) in enumerate(batch)]
            self.log.append(entries)
            self._publish(entries)
        with self.arrived:
            self.arrived.notify_all()
        return [self.sequence(e[0]) for e in entries]

    def latest_position(self) -> int:
        return self.last_counter + 1

    def position_at_time(self, when: float) -> int:
        """The counter of the first record that arrived at or after `when`, or LATEST."""
        with self.index_lock:
            i = bisect.bisect_left(self.times, when)
            return self.counters[i] if i < len(self.counters) else self.latest_position()

    def read(self, position: int, limit: int, max_bytes: int,
             fragments: bool = False) -> tuple[list, int, bool, int]:
        """(records from `position` on, the next position, whether the shard's end was reached,
        milliseconds behind the newest record); the records as JSON fragments if asked."""
        with self.index_lock:
            counters = self.counters
            start = bisect.bisect_left(counters, position)
            count = len(counters)
            end = min(count, start + limit)
            if end > start:
                fits = bisect.bisect_right(self.cumulative, self.cumulative[start] + max_bytes, start, end + 1) - 1
                end = max(start + 1, fits)
            records = (self.fragments if fragments else self.records)[start:end]
            next_position = counters[end - 1] + 1 if end > start else position
            at_end = end >= count
            behind = 0 if at_end else max(0, int((time.time() - self.times[end]) * 1000))
        return records, next_position, at_end, behind

    def oldest_position(self) -> int:
        return self.counters[0] if self.counters else self.latest_position()

    def trim(self, horizon: float) -> int:
        """Forget the records that arrived before `horizon` (memory and whole log segments)."""
        with self.lock:
            with self.index_lock:
                cut = bisect.bisect_left(self.times, horizon)
                if cut:
                    del self.counters[:cut], self.times[:cut], self.cumulative[:cut], self.records[:cut]
                    del self.fragments[:cut]
            self.log.trim(horizon)
            return cut
