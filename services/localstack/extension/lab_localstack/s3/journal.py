"""An append-only file of pickled records, each framed with its length and CRC-32.

`append` writes a batch of records and fsyncs before it returns; `read` yields the
records in order and stops at the first frame that is incomplete or damaged (a write
cut by a crash), truncating the file there so later appends follow whole records;
`rewrite` replaces the whole file atomically (temporary file, fsync, rename, fsync of the
directory), which is how the journal is compacted at start-up.
"""
from __future__ import annotations

import logging
import os
import pickle
import struct
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from lab_localstack.state_files import fsync_dir

LOG = logging.getLogger(__name__)
HEADER = struct.Struct("<II")     # payload length, CRC-32 of the payload


def _frame(record: Any) -> bytes:
    payload = pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL)
    return HEADER.pack(len(payload), zlib.crc32(payload)) + payload


class Journal:
    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file = None

    def read(self) -> Iterator[Any]:
        """The records in order; a damaged tail is cut off (and logged)."""
        if not self.path.exists():
            return
        with open(self.path, "r+b") as f:
            good = 0
            while True:
                header = f.read(HEADER.size)
                if len(header) < HEADER.size:
                    break
                length, crc = HEADER.unpack(header)
                payload = f.read(length)
                if len(payload) < length or zlib.crc32(payload) != crc:
                    break
                try:
                    record = pickle.loads(payload)
                except Exception:
                    LOG.exception("%s: record at byte %d does not load", self.path, good)
                    break
                good = f.tell()
                yield record
            end = f.seek(0, os.SEEK_END)
            if good < end:
                LOG.warning("%s: dropping %d bytes of an incomplete last write", self.path, end - good)
                f.truncate(good)

    def rewrite(self, records: Iterable[Any]) -> None:
        """Replace the journal by these records, atomically."""
        self.close()
        tmp = self.path.with_suffix(".tmp")
        with open(tmp, "wb") as f:
            f.writelines(_frame(record) for record in records)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path)
        fsync_dir(self.path.parent)

    def append(self, records: list[Any]) -> None:
        """Write the records and fsync: they are on disk when this returns."""
        if self._file is None:
            new = not self.path.exists()
            self._file = open(self.path, "ab")  # noqa: SIM115 (kept open; closed in close())
            if new:
                fsync_dir(self.path.parent)
        self._file.write(b"".join(_frame(r) for r in records))
        self._file.flush()
        os.fsync(self._file.fileno())

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
