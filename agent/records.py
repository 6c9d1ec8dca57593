"""Split a file's bytes into records: one per line (with its newline), or one
per multi-line group when `multiLineStartPattern` is set.

Every record comes with the file offset just past its last byte, which is what
the checkpoint advances to once it is delivered. A record longer than the API
limit is cut and ends with `truncatedRecordTerminator`; a line is never split
into two records, however long it is (the rest of it is skipped).
"""
from __future__ import annotations

import re

Record = tuple[bytes, int]   # (data, file offset just past it)


class RecordSplitter:
    """Per-file splitting state: the unfinished last line and multi-line group."""

    def __init__(self, offset: int, *, start_pattern: re.Pattern[bytes] | None = None,
                 skip_header_lines: int = 0, max_record_bytes: int = 1000 * 1024,
                 terminator: bytes = b"\n"):
        self.offset = offset                  # file offset of the first byte of _partial
        self._partial = b""                   # bytes after the last newline seen
        self._dropped = 0                     # bytes of an over-long line thrown away so far
        self._start = start_pattern
        self._headers_left = skip_header_lines if offset == 0 else 0
        self._max = max_record_bytes
        self._terminator = terminator
        self._group: list[bytes] = []         # multi-line record being assembled
        self._group_end = offset
        self.lines = 0                        # complete lines seen (for statistics)
        self.truncated = 0                    # records cut to the size limit

    @property
    def has_pending(self) -> bool:
        """True when bytes are held back: an unfinished line or multi-line group."""
        return bool(self._partial or self._dropped or self._group)

    def feed(self, data: bytes) -> list[Record]:
        """Consume the next bytes of the file; return the records now complete."""
        out: list[Record] = []
        if self._dropped:
            nl = data.find(b"\n")
            if nl < 0:
                self._dropped += len(data)
                return out
            end = self.offset + len(self._partial) + self._dropped + nl + 1
            self._line(self._partial + b"\n", end, out)   # over the limit: cut
            self._partial, self._dropped = b"", 0
            data = data[nl + 1:]
            self.offset = end
        buf = self._partial + data if self._partial else data
        base = self.offset
        start = 0
        find = buf.find
        if self._start is None and not self._headers_left:
            # The common case, kept tight: one record per line.
            append = out.append
            limit = self._max
            count = 0
            while True:
                nl = find(b"\n", start)
                if nl < 0:
                    break
                end = nl + 1
                if end - start > limit:
                    append((self._cut(buf[start:end]), base + end))
                else:
                    append((buf[start:end], base + end))
                start = end
                count += 1
            self.lines += count
        else:
            while True:
                nl = find(b"\n", start)
                if nl < 0:
                    break
                self._line(buf[start:nl + 1], base + nl + 1, out)
                start = nl + 1
        self._partial = buf[start:]
        self.offset = base + start
        if len(self._partial) > self._max:
            # An over-long line: keep what can be sent, drop the rest until its newline.
            self._dropped = len(self._partial) - self._max
            self._partial = self._partial[:self._max]
        return out

    def flush_group(self) -> list[Record]:
        """Emit the multi-line group being assembled (the file has gone quiet)."""
        out: list[Record] = []
        if self._group:
            out.append((self._fit(b"".join(self._group)), self._group_end))
            self._group = []
        return out

    def finish(self) -> list[Record]:
        """The file is finished (rotated away and idle): emit everything held back,
        the unfinished last line with a newline added."""
        out: list[Record] = []
        if self._partial or self._dropped:
            end = self.offset + len(self._partial) + self._dropped
            line = self._partial
            self._partial, self._dropped = b"", 0
            self.offset = end
            self._line(line + b"\n", end, out)
        out.extend(self.flush_group())
        return out

    def _line(self, line: bytes, end: int, out: list[Record]) -> None:
        self.lines += 1
        if self._headers_left:
            self._headers_left -= 1
            return
        if self._start is None:
            out.append((self._fit(line), end))
            return
        if self._start.match(line) and self._group:
            out.append((self._fit(b"".join(self._group)), self._group_end))
            self._group = []
        self._group.append(line)
        self._group_end = end

    def _fit(self, record: bytes) -> bytes:
        return self._cut(record) if len(record) > self._max else record

    def _cut(self, record: bytes) -> bytes:
        self.truncated += 1
        return record[:self._max - len(self._terminator)] + self._terminator
