"""The Firehose write-ahead journal: everything that must survive a LocalStack restart.

One SQLite file (LOCALSTACK_VOLUME_DIR/lab-firehose/firehose.db) holds
- `streams`: each delivery stream's description, tags and counters;
- `records`: every accepted record until its batch is delivered (a put is
  acknowledged only after its records are committed here);
- `kinesis_checkpoints`: the last Kinesis sequence number read per shard, written
  in the same transaction as the records read, so nothing is read twice or lost.

Delivery is at-least-once: a batch's records are deleted only after every one of
them reached its final place (index, S3 object, error prefix or the dropped count).
"""
from __future__ import annotations

import json
import logging
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

LOG = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS streams (
    stream_key  TEXT PRIMARY KEY,
    description TEXT NOT NULL,
    tags        TEXT NOT NULL DEFAULT '[]',
    counters    TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS records (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    stream_key    TEXT NOT NULL,
    record_id     TEXT NOT NULL,
    arrival_ms    INTEGER NOT NULL,
    size          INTEGER NOT NULL,
    data          BLOB NOT NULL,
    kinesis_meta  TEXT
);
CREATE INDEX IF NOT EXISTS records_by_stream ON records (stream_key, id);
CREATE TABLE IF NOT EXISTS kinesis_checkpoints (
    stream_key      TEXT NOT NULL,
    shard_id        TEXT NOT NULL,
    sequence_number TEXT NOT NULL,
    PRIMARY KEY (stream_key, shard_id)
);
"""

_TIMESTAMP_KEYS = ("CreateTimestamp", "LastUpdateTimestamp", "DeliveryStartTimestamp")


@dataclass
class JournalRecord:
    """One accepted record, as stored until delivered."""

    row_id: int
    record_id: str
    arrival_ms: int
    data: bytes
    kinesis_meta: dict | None = None


@dataclass
class NewRecord:
    """A record about to be journaled (row id not yet known)."""

    record_id: str
    arrival_ms: int
    data: bytes
    kinesis_meta: dict | None = None


@dataclass(frozen=True)
class StreamKey:
    """Which delivery stream: AWS scopes a stream's name to an account and a region."""

    account_id: str
    region: str
    name: str

    def __str__(self) -> str:
        return f"{self.account_id}/{self.region}/{self.name}"

    @classmethod
    def parse(cls, text: str) -> StreamKey:
        account_id, region, name = text.split("/", 2)
        return cls(account_id, region, name)


# The journal's stream_key column holds str(key); sqlite3 binds a StreamKey as that text.
sqlite3.register_adapter(StreamKey, str)


@dataclass
class StoredStream:
    """A stream definition as read back at start-up."""

    stream_key: StreamKey
    description: dict
    tags: list[dict]
    counters: dict


def _encode_description(description: dict) -> str:
    def default(value):
        if isinstance(value, datetime):
            return value.isoformat()
        raise TypeError(f"cannot store {type(value).__name__} in a stream description")

    return json.dumps(description, default=default)


def _decode_description(text: str) -> dict:
    description = json.loads(text)
    for key in _TIMESTAMP_KEYS:
        if isinstance(description.get(key), str):
            description[key] = datetime.fromisoformat(description[key])
    source = description.get("Source") or {}
    kinesis = source.get("KinesisStreamSourceDescription") or {}
    if isinstance(kinesis.get("DeliveryStartTimestamp"), str):
        kinesis["DeliveryStartTimestamp"] = datetime.fromisoformat(kinesis["DeliveryStartTimestamp"])
    return description


class Journal:
    """Thread-safe access to the SQLite journal (one connection, one lock)."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        # WAL + NORMAL: a committed put survives a crash of the LocalStack process.
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        LOG.info("Firehose journal at %s", path)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # --- streams ------------------------------------------------------------
    def save_stream(self, key: StreamKey, description: dict, tags: list[dict], counters: dict) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO streams (stream_key, description, tags, counters) VALUES (?, ?, ?, ?)"
                " ON CONFLICT(stream_key) DO UPDATE SET description=excluded.description,"
                " tags=excluded.tags, counters=excluded.counters",
                (key, _encode_description(description), json.dumps(tags), json.dumps(counters)),
            )

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic change under the lock: committed on success, rolled back otherwise."""
        with self._lock:
            self._db.execute("BEGIN")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def delete_stream(self, key: StreamKey) -> None:
        with self._transaction() as db:
            db.execute("DELETE FROM streams WHERE stream_key=?", (key,))
            db.execute("DELETE FROM records WHERE stream_key=?", (key,))
            db.execute("DELETE FROM kinesis_checkpoints WHERE stream_key=?", (key,))

    def load_streams(self) -> list[StoredStream]:
        with self._lock:
            rows = self._db.execute(
                "SELECT stream_key, description, tags, counters FROM streams"
            ).fetchall()
        return [
            StoredStream(StreamKey.parse(key), _decode_description(desc), json.loads(tags), json.loads(counters))
            for key, desc, tags, counters in rows
        ]

    # --- records --------------------------------------------------------------
    def append(
        self,
        key: StreamKey,
        records: list[NewRecord],
        counters: dict,
        checkpoints: dict[str, str] | None = None,
    ) -> None:
        """Commit records, the stream's counters and (for a Kinesis source) the shard
        checkpoints in one transaction."""
        rows = [
            (
                key,
                r.record_id,
                r.arrival_ms,
                len(r.data),
                r.data,
                json.dumps(r.kinesis_meta) if r.kinesis_meta is not None else None,
            )
            for r in records
        ]
        with self._transaction() as db:
            db.executemany(
                "INSERT INTO records (stream_key, record_id, arrival_ms, size, data, kinesis_meta)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                rows,
            )
            for shard_id, sequence_number in (checkpoints or {}).items():
                db.execute(
                    "INSERT INTO kinesis_checkpoints (stream_key, shard_id, sequence_number)"
                    " VALUES (?, ?, ?) ON CONFLICT(stream_key, shard_id)"
                    " DO UPDATE SET sequence_number=excluded.sequence_number",
                    (key, shard_id, sequence_number),
                )
            db.execute("UPDATE streams SET counters=? WHERE stream_key=?", (json.dumps(counters), key))

    def buffered(self, key: StreamKey) -> tuple[int, int, int | None]:
        """(record count, bytes, oldest arrival in epoch ms) still waiting for delivery."""
        with self._lock:
            count, size, oldest = self._db.execute(
                "SELECT COUNT(*), COALESCE(SUM(size), 0), MIN(arrival_ms) FROM records"
                " WHERE stream_key=?",
                (key,),
            ).fetchone()
        return count, size, oldest

    def oldest_arrival(self, key: StreamKey) -> int | None:
        with self._lock:
            row = self._db.execute(
                "SELECT arrival_ms FROM records WHERE stream_key=? ORDER BY id LIMIT 1", (key,)
            ).fetchone()
        return row[0] if row else None

    def take(self, key: StreamKey, max_bytes: int) -> list[JournalRecord]:
        """The oldest records of a stream up to max_bytes (at least one record)."""
        batch: list[JournalRecord] = []
        total = 0
        with self._lock:
            cursor = self._db.execute(
                "SELECT id, record_id, arrival_ms, size, data, kinesis_meta FROM records"
                " WHERE stream_key=? ORDER BY id",
                (key,),
            )
            for row_id, record_id, arrival_ms, size, data, meta in cursor:
                if batch and total + size > max_bytes:
                    break
                batch.append(
                    JournalRecord(row_id, record_id, arrival_ms, bytes(data),
                                  json.loads(meta) if meta else None)
                )
                total += size
            cursor.close()
        return batch

    def complete(self, key: StreamKey, row_ids: list[int], counters: dict) -> None:
        """Forget delivered records and store the counters, in one transaction."""
        with self._transaction() as db:
            for chunk in _chunks(row_ids, 500):
                marks = ",".join("?" * len(chunk))
                db.execute(f"DELETE FROM records WHERE stream_key=? AND id IN ({marks})", (key, *chunk))
            db.execute("UPDATE streams SET counters=? WHERE stream_key=?", (json.dumps(counters), key))

    def save_counters(self, key: StreamKey, counters: dict) -> None:
        with self._lock:
            self._db.execute(
                "UPDATE streams SET counters=? WHERE stream_key=?", (json.dumps(counters), key)
            )

    # --- Kinesis source -----------------------------------------------------------
    def checkpoints(self, key: StreamKey) -> dict[str, str]:
        with self._lock:
            rows = self._db.execute(
                "SELECT shard_id, sequence_number FROM kinesis_checkpoints WHERE stream_key=?", (key,)
            ).fetchall()
        return dict(rows)


def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]
