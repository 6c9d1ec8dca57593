"""One shard's records on disk: an append-only log in segment files, each record a
checksummed frame, written and fsync'd before the put that carried it answers.

Layout: `<shard folder>/<first counter, 20 digits>.log`. A frame is
`>II` (body length, CRC-32 of the body) then the body: `>QdH` (sequence counter, arrival
time in epoch seconds, partition key length), the partition key (UTF-8), the data.

- `append` writes all of a call's frames for this shard in one `write` and one `fdatasync`.
- `load` reads every segment back; a frame cut short or failing its checksum (the tail of
  a write a crash interrupted: never acknowledged) ends the log, and the file is truncated
  there so that new frames follow the last good one.
- A new segment starts when the current one passes SEGMENT_BYTES or SEGMENT_SECONDS;
  `trim` deletes whole segments whose newest record is past the retention period.
"""
from __future__ import annotations

import logging
import os
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

from lab_localstack.state_files import fsync_dir

LOG = logging.getLogger(__name__)
HEADER = struct.Struct(">II")
BODY = struct.Struct(">QdH")
SEGMENT_BYTES = 64 * 1024 * 1024
SEGMENT_SECONDS = 3600.0

Entry = tuple[int, float, str, bytes]      # (counter, arrival epoch seconds, partition key, data)


@dataclass
class Segment:
    path: Path
    size: int
    opened_at: float          # wall time its first record arrived (or it was created)
    newest: float             # arrival time of its newest record


def encode(entries: list[Entry]) -> bytes:
    frames = []
    for counter, arrival, key, data in entries:
        key_bytes = key.encode("utf-8")
        body = BODY.pack(counter, arrival, len(key_bytes)) + key_bytes + data
        frames.append(HEADER.pack(len(body), zlib.crc32(body)))
        frames.append(body)
    return b"".join(frames)


def decode(buffer: bytes) -> tuple[list[Entry], int]:
    """The whole frames of `buffer`, and the offset where the good ones end."""
    entries: list[Entry] = []
    offset, end = 0, len(buffer)
    while offset + HEADER.size <= end:
        length, crc = HEADER.unpack_from(buffer, offset)
        start = offset + HEADER.size
        if length < BODY.size or start + length > end:
            break
        body = buffer[start:start + length]
        if zlib.crc32(body) != crc:
            break
        counter, arrival, key_length = BODY.unpack_from(body)
        key_end = BODY.size + key_length
        entries.append((counter, arrival, body[BODY.size:key_end].decode("utf-8"), bytes(body[key_end:])))
        offset = start + length
    return entries, offset


class ShardLog:
    """The segments of one shard; not thread-safe (the shard's lock guards it)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.segments: list[Segment] = []
        self._fd: int | None = None

    def load(self) -> list[Entry]:
        """Every whole record on disk, oldest first (torn tails cut off)."""
        entries: list[Entry] = []
        if not self.folder.is_dir():
            return entries
        for path in sorted(self.folder.glob("*.log")):
            data = path.read_bytes()
            found, good = decode(data)
            if good < len(data):
                LOG.warning("Kinesis log %s: %d bytes after the last whole record dropped (a write "
                            "cut short by a crash, never acknowledged)", path, len(data) - good)
                with open(path, "r+b") as handle:
                    handle.truncate(good)
                    os.fsync(handle.fileno())
            if not found:
                path.unlink()
                continue
            self.segments.append(Segment(path, good, found[0][1], found[-1][1]))
            entries.extend(found)
        return entries

    def append(self, entries: list[Entry]) -> None:
        """The frames on disk (written, fdatasync'd) when this returns."""
        payload = encode(entries)
        now = entries[-1][1]
        current = self.segments[-1] if self.segments else None
        if current is None or current.size >= SEGMENT_BYTES or now - current.opened_at >= SEGMENT_SECONDS:
            current = self._new_segment(entries[0][0], now)
        elif self._fd is None:
            self._fd = os.open(current.path, os.O_WRONLY | os.O_APPEND)
        written = os.write(self._fd, payload)
        while written < len(payload):
            written += os.write(self._fd, payload[written:])
        os.fdatasync(self._fd)
        current.size += len(payload)
        current.newest = now

    def _new_segment(self, first_counter: int, now: float) -> Segment:
        self.close()
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{first_counter:020d}.log"
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        fsync_dir(self.folder)
        segment = Segment(path, 0, now, now)
        self.segments.append(segment)
        return segment

    def trim(self, horizon: float) -> int:
        """Delete the segments (never the one being written) whose records all arrived before
        `horizon`; the number deleted."""
        removed = 0
        while len(self.segments) > 1 and self.segments[0].newest < horizon:
            self.segments.pop(0).path.unlink(missing_ok=True)
            removed += 1
        if removed:
            fsync_dir(self.folder)
        return removed

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

