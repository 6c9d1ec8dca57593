"""Find the files of a flow and follow them through rotation.

Polling: every poll globs the pattern, stats what matches and compares with
what is tracked. A tracked file is an open descriptor, so a file renamed or
deleted is still read to its end. Files are identified by device+inode and
their head (agent.fingerprint):

- rename-and-create: the inode moves to `access_log.1`; since it is the same
  inode it continues where it was (never re-read because the new name also
  matches the pattern); the new `access_log` is a new file, read from 0.
- copytruncate: the tracked inode shrinks (or its head changes): it is read
  again from 0; the copy (new inode, same head) continues from where the
  original was, so nothing already read is read again, and while the copy is
  still being written (shorter than that offset) it waits for its bytes.
- delete-and-recreate: the deleted file is read to its end through its
  descriptor; the new file is new (a reused inode has a different head).

A file that no longer matches the pattern is "gone": once it has been idle for
GONE_GRACE_S and everything read from it is delivered, it is closed.
"""
from __future__ import annotations

import glob
import logging
import os
import stat
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from agent.checkpoints import Checkpoint
from agent.fingerprint import HEAD_BYTES, read_head, same_content
from agent.records import RecordSplitter

LOG = logging.getLogger(__name__)

GONE_GRACE_S = 2.0       # a file rotated away may still get its last writes
MAX_RETIRED = 64         # closed files remembered to recognise late copies


@dataclass(eq=False)
class TrackedFile:
    """One file identity being read (eq=False: identity is the object)."""

    dev: int
    ino: int
    path: str
    fd: int
    head: bytes
    read_offset: int            # bytes handed to the splitter
    committed: int              # bytes delivered (checkpointed)
    splitter: RecordSplitter | None
    size: int = 0
    mtime: float = 0.0
    last_change: float = field(default_factory=time.monotonic)
    gone: bool = False          # no longer matched by the pattern
    finished: bool = False      # gone, idle, read to the end: only waiting for delivery
    live: bool = True           # False once superseded or closed
    source: TrackedFile | None = None   # set while this file is a copy of a file still read
    filling: bool = False       # continues another file's offset, but is still shorter (being copied)
    followers: list[TrackedFile] = field(default_factory=list)  # receive our commits

    @property
    def key(self) -> tuple[int, int]:
        return (self.dev, self.ino)

    @property
    def readable(self) -> bool:
        return self.live and self.source is None and not self.finished

    def checkpoint(self) -> Checkpoint:
        return Checkpoint(self.dev, self.ino, self.head, self.committed, self.path)


class Tailer:
    """The files of one flow. Not thread-safe: the flow serialises access."""

    def __init__(self, pattern: str, *, start_at_end: bool,
                 make_splitter: Callable[[int], RecordSplitter], known: list[Checkpoint]):
        self.pattern = pattern
        self.start_at_end = start_at_end
        self.make_splitter = make_splitter
        self.known = known              # checkpoints loaded at start (restart recovery)
        self.live: dict[tuple[int, int], TrackedFile] = {}
        self.retired: list[TrackedFile] = []
        self.first_poll = True
        self.matched = 0                # files matched by the last poll
        self._unreadable: set[str] = set()

    # --- discovery ----------------------------------------------------------
    def discover(self) -> None:
        """Glob the pattern and reconcile with the tracked files."""
        seen: dict[tuple[int, int], tuple[str, os.stat_result]] = {}
        for path in self.paths():
            try:
                st = os.stat(path)
            except OSError:
                continue                # vanished between glob and stat
            if stat.S_ISREG(st.st_mode):
                seen.setdefault((st.st_dev, st.st_ino), (path, st))
        self.matched = len(seen)

        for key, tf in list(self.live.items()):
            if tf.source is not None and key not in seen:
                # A copy we never needed to read went away: forget it.
                tf.source.followers.remove(tf)
                os.close(tf.fd)
                tf.live = False
                del self.live[key]
                continue
            if key in seen:
                if tf.path != seen[key][0]:
                    LOG.info("file %s renamed to %s: continuing at offset %d",
                             tf.path, seen[key][0], tf.read_offset)
                tf.path, tf.gone = seen[key][0], False
            elif not tf.gone:
                LOG.info("file %s no longer matches %s (rotated away or deleted): "
                         "reading it to its end", tf.path, self.pattern)
                tf.gone = True
            self._check_content(tf)

        new = [k for k in seen if k not in self.live]
        # Files whose own checkpoint matches go first, so that a copy of one of
        # them is recognised as a copy rather than resumed from the same checkpoint.
        new.sort(key=lambda k: 0 if self._own_checkpoint(k) else 1)
        for key in new:
            self._adopt(key, *seen[key])
        self.first_poll = False

    def paths(self) -> list[str]:
        """The paths to consider at this poll: what the pattern matches."""
        return sorted(glob.glob(self.pattern))

    def _own_checkpoint(self, key: tuple[int, int]) -> bool:
        return any((c.dev, c.ino) == key for c in self.known)

    def _check_content(self, tf: TrackedFile) -> None:
        """Detect truncation or replaced content of a tracked file."""
        st = os.fstat(tf.fd)
        if tf.source is not None:
            # A copy in the making is shorter than its source's offset: not truncated.
            tf.size, tf.mtime = st.st_size, st.st_mtime
            return
        changed = st.st_size != tf.size or st.st_mtime != tf.mtime
        if changed:
            tf.last_change = time.monotonic()
        truncated = st.st_size < tf.read_offset
        head = tf.head
        if truncated and tf.filling:
            # A copy still being written: shorter than the offset it continues from, and
            # truncated only if its content is no longer the content it was adopted with.
            head = read_head(tf.fd)
            truncated = not same_content(tf.head, head)
            if not truncated:
                tf.size, tf.mtime = st.st_size, st.st_mtime
                return
        tf.filling = tf.filling and st.st_size < tf.read_offset
        if not truncated and changed:
            # Also when the size is unchanged: truncated and rewritten to the same
            # length between two polls is only visible in the content.
            head = read_head(tf.fd)
            truncated = bool(tf.head) and not same_content(tf.head, head)
        tf.size, tf.mtime = st.st_size, st.st_mtime
        if not truncated:
            if len(head) > len(tf.head):
                tf.head = head
            return
        LOG.info("file %s was truncated or rewritten (copytruncate?): reading it again from "
                 "the start (had read %d bytes)", tf.path, tf.read_offset)
        fresh = TrackedFile(tf.dev, tf.ino, tf.path, tf.fd, read_head(tf.fd), 0, 0,
                            self.make_splitter(0), size=st.st_size, mtime=st.st_mtime)
        self.live[tf.key] = fresh
        tf.fd = -1                      # the descriptor now belongs to `fresh`
        self._retire(tf)

    def _adopt(self, key: tuple[int, int], path: str, st: os.stat_result) -> None:
        if st.st_size == 0:
            return                      # decided once it has content (may be a copy starting)
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError as exc:
            if path not in self._unreadable:
                LOG.error("cannot open %s: %s", path, exc)
                self._unreadable.add(path)
            return
        fst = os.fstat(fd)
        head = read_head(fd)
        if (fst.st_dev, fst.st_ino) != key or not head:
            os.close(fd)                # replaced between stat and open: next poll
            return
        self._unreadable.discard(path)

        def track(offset: int, committed: int, splitter: RecordSplitter | None,
                  source: TrackedFile | None = None) -> TrackedFile:
            tf = TrackedFile(key[0], key[1], path, fd, head, offset, committed, splitter,
                             size=fst.st_size, mtime=fst.st_mtime, source=source)
            self.live[key] = tf
            return tf

        for src in self.live.values():
            if src.source is None and same_content(src.head, head):
                LOG.info("file %s has the content of %s (a copy, e.g. copytruncate): "
                         "not reading it again", path, src.path)
                src.followers.append(track(src.read_offset, src.committed, None, source=src))
                return
        for old in reversed(self.retired):
            if same_content(old.head, head):
                self.retired.remove(old)
                LOG.info("file %s continues %s (copy of a truncated file): from offset %d",
                         path, old.path, old.read_offset)
                copy = track(old.read_offset, old.committed, old.splitter)
                copy.filling = fst.st_size < old.read_offset
                old.followers.append(copy)
                return
        cp = self._match_checkpoint(key, head, fst.st_size)
        if cp is not None:
            LOG.info("file %s: resuming at checkpoint %d of %d bytes", path, cp.offset, fst.st_size)
            track(cp.offset, cp.offset, self.make_splitter(cp.offset))
            return
        start = fst.st_size if (self.first_poll and self.start_at_end) else 0
        LOG.info("file %s: new, reading from offset %d", path, start)
        track(start, start, self.make_splitter(start))

    def _match_checkpoint(self, key: tuple[int, int], head: bytes, size: int) -> Checkpoint | None:
        candidates = [c for c in self.known if (c.dev, c.ino) == key and same_content(c.head, head)]
        if not candidates:     # the same content under another inode: a copy made while we were down
            candidates = [c for c in self.known if same_content(c.head, head)]
        candidates = [c for c in candidates if c.offset <= size]
        if not candidates:
            return None
        best = max(candidates, key=lambda c: c.offset)
        self.known.remove(best)
        return best

    # --- lifecycle ------------------------------------------------------------
    def _retire(self, tf: TrackedFile) -> None:
        """tf will not be read any more: hand its position to a copy of it, if any."""
        tf.live = False
        copies = [f for f in self.live.values() if f.source is tf]
        if copies:
            copy = copies[0]
            copy.source = None
            copy.head = read_head(copy.fd)
            copy.read_offset, copy.splitter = tf.read_offset, tf.splitter
            copy.filling = copy.size < tf.read_offset
            copy.committed = max(copy.committed, tf.committed)
            LOG.info("file %s takes over from %s at offset %d", copy.path, tf.path, tf.read_offset)
            for extra in copies[1:]:
                extra.source = copy
        else:
            self.retired.append(tf)
            del self.retired[:-MAX_RETIRED]

    def files_to_read(self) -> list[TrackedFile]:
        """Readable files, oldest first, so rotated files are finished first."""
        return sorted((f for f in self.live.values() if f.readable),
                      key=lambda f: (f.mtime, f.path))

    def read(self, tf: TrackedFile, max_bytes: int) -> bytes:
        """The next bytes of `tf`; b"" when there are none, or when `tf` turns out to be
        truncated: between two polls a file may be truncated and written past the offset read
        so far (copytruncate, then traffic), and reading on would hand on other content from
        the middle of a line. The fresh file takes its place in files_to_read()."""
        self._check_content(tf)
        if not tf.live:
            return b""
        start = tf.read_offset
        data = os.pread(tf.fd, max_bytes, start)
        if data:
            if start <= len(tf.head) < HEAD_BYTES:
                # The head is what was read: a head taken while the file was empty or short
                # must not let a later truncation pass for more of the same content.
                tf.head = (tf.head[:start] + data)[:HEAD_BYTES]
            tf.read_offset += len(data)
            tf.last_change = time.monotonic()
        return data

    def finishable(self) -> list[TrackedFile]:
        """Gone files read to their end and idle long enough to be finished."""
        now = time.monotonic()
        return [f for f in self.live.values()
                if f.gone and f.readable and f.read_offset >= f.size
                and now - f.last_change >= GONE_GRACE_S]

    def close_delivered(self) -> None:
        """Close finished files whose every byte is delivered."""
        for key, tf in list(self.live.items()):
            if tf.finished and tf.committed >= tf.read_offset:
                LOG.info("file %s: finished (%d bytes delivered), closing", tf.path, tf.committed)
                os.close(tf.fd)
                tf.fd = -1
                del self.live[key]
                self._retire(tf)

    def backlog_bytes(self) -> int:
        return sum(max(0, f.size - f.committed) for f in self.live.values() if f.source is None)

    def close(self) -> None:
        for tf in self.live.values():
            if tf.fd >= 0:
                os.close(tf.fd)
                tf.fd = -1
        self.live.clear()
