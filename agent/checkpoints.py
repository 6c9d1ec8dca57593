"""Checkpoints in SQLite: per flow and file, the offset up to which every
record has been delivered.

Rows are keyed by (flow, device, inode) and carry the file's head
(agent.fingerprint) so a reused inode is not mistaken for the old file. A row
is written only after a successful send, in one transaction per batch; WAL
mode keeps that cheap and a SIGKILL cannot leave a half-written row.
"""
from __future__ import annotations

import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path

_SCHEMA = """
CREATE TABLE IF NOT EXISTS checkpoints (
    flow    TEXT    NOT NULL,
    dev     INTEGER NOT NULL,
    ino     INTEGER NOT NULL,
    head    BLOB    NOT NULL,
    offset  INTEGER NOT NULL,
    path    TEXT    NOT NULL,
    updated REAL    NOT NULL,
    PRIMARY KEY (flow, dev, ino)
)
"""


@dataclass(frozen=True)
class Checkpoint:
    """Everything up to `offset` of the file (dev, ino, head) has been delivered."""

    dev: int
    ino: int
    head: bytes
    offset: int
    path: str


class CheckpointStore:
    """The checkpoint database, shared by every flow (thread-safe)."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        # NORMAL: a commit survives the process being killed (only a power loss
        # can lose the last commits, which then means re-sending, not a gap).
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute(_SCHEMA)
        self._closed = False

    def load(self, flow: str) -> list[Checkpoint]:
        with self._lock:
            rows = self._db.execute(
                "SELECT dev, ino, head, offset, path FROM checkpoints WHERE flow = ?", (flow,)
            ).fetchall()
        return [Checkpoint(dev, ino, bytes(head), offset, path) for dev, ino, head, offset, path in rows]

    def save(self, flow: str, checkpoints: list[Checkpoint]) -> None:
        """Write several rows atomically (no-op once the store is closed)."""
        if not checkpoints:
            return
        now = time.time()
        with self._lock:
            if self._closed:
                return
            self._db.execute("BEGIN")
            self._db.executemany(
                "INSERT OR REPLACE INTO checkpoints (flow, dev, ino, head, offset, path, updated) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(flow, c.dev, c.ino, c.head, c.offset, c.path, now) for c in checkpoints],
            )
            self._db.execute("COMMIT")

    def prune(self, ttl_days: int) -> int:
        """Forget rows not updated for ttl_days (files long gone); returns how many."""
        with self._lock:
            cur = self._db.execute("DELETE FROM checkpoints WHERE updated < ?",
                                   (time.time() - ttl_days * 86_400,))
            return cur.rowcount

    def close(self) -> None:
        with self._lock:
            if not self._closed:
                self._closed = True
                self._db.close()
