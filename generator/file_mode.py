"""File mode: append workshop-format lines to a file, no server involved.

Used for backfills and load. Many sessions are open at once and take turns, so
lines of different visitors interleave as in a real log. Each line is the one
Apache would write for that request (generator.log_format); status and bytes
are what the lab's Apache answers for the URL (generator.shop).

Speed comes from caching the fragments of a line that repeat (a visitor's
address, browser and cookies, a page's request line, a second's timestamp), so
a line costs a few dict lookups and one join, and from writing in large chunks.
"""

from __future__ import annotations

import logging
import os
import random
import time
from dataclasses import dataclass
from pathlib import Path

from generator import malformed, shop
from generator.log_format import FragmentCache, client_fragment
from generator.stats import TrafficStats
from generator.timestamps import BackfillClock, LiveClock
from generator.visitors import NamePool, Session, VisitorModel

log = logging.getLogger(__name__)

CONCURRENT_SESSIONS = 64
CHUNK_LINES = 8192


@dataclass(frozen=True)
class FileModeOptions:
    path: Path
    count: int | None             # stop after this many lines (None: no limit)
    duration: float | None        # stop after this many seconds (None: no limit)
    rate: float                   # lines per second; 0: as fast as possible
    seed: int
    site_url: str
    tz_offset: int = 0            # seconds east of UTC
    backfill_hours: float | None = None
    end_time: float | None = None  # end of the backfill window (default: now)
    bad_fraction: float = 0.0
    site_dir: Path | None = None


class _SessionLines:
    """One open session and the line fragments that stay the same across its pages."""

    __slots__ = ("prefix", "session", "steps", "user", "visitor")

    def __init__(self, session: Session) -> None:
        self.session = session
        self.steps = session.steps
        self.prefix = client_fragment(session.visitor.client)
        self.user: object = ()          # the user cookie `visitor` was rendered for
        self.visitor = ""


class LineMaker:
    """Produces the lines of one seeded run, chunk by chunk."""

    def __init__(self, options: FileModeOptions) -> None:
        self.options = options
        rng = random.Random(options.seed)
        self.rng = rng
        self.model = VisitorModel(rng, options.site_url, NamePool(options.seed))
        self.sizes = shop.ResponseSizes.from_site(options.site_dir, options.site_url)
        self.cache = FragmentCache(options.tz_offset)
        self.bad_rng = random.Random(f"{options.seed}/malformed")
        self.open = [_SessionLines(self.model.new_session())
                     for _ in range(CONCURRENT_SESSIONS)]
        self._requests: dict[tuple[str, str], tuple[int, str]] = {}
        self.stats = TrafficStats()

    def _request(self, method: str, path: str) -> tuple[int, str]:
        key = (method, path)
        found = self._requests.get(key)
        if found is None:
            status = shop.status_of(path)
            fragment = self.cache.request(method, path, status, self.sizes.bytes_for(method, path))
            found = self._requests[key] = (status, fragment)
        return found

    def chunk(self, timestamps: list[float]) -> list[str]:
        """The next lines, one per timestamp."""
        open_sessions = self.open
        rand = self.rng.random
        new_session = self.model.new_session
        request = self._request
        requests_get = self._requests.get
        visitor_part = self.cache.visitor
        referer_fragment = self.cache.referer
        referers_get = self.cache.referers.get
        second, stamp = -2.0, ""
        timestamp_fragment = self.cache.timestamp
        by_status = self.stats.by_status
        bad_fraction = self.options.bad_fraction
        bad_random = self.bad_rng.random
        lines: list[str] = []
        append = lines.append
        for epoch in timestamps:
            slot = int(rand() * CONCURRENT_SESSIONS)
            current = open_sessions[slot]
            step = next(current.steps, None)
            while step is None:
                current = open_sessions[slot] = _SessionLines(new_session())
                step = next(current.steps, None)
            method, path, referer, user = step
            if user is not current.user:
                current.user = user
                session = current.session
                current.visitor = visitor_part(session.visitor.user_agent, user,
                                               session.session_id)
            status, request_part = requests_get((method, path)) or request(method, path)
            by_status[status] += 1
            if epoch - second >= 1.0 or epoch < second:
                second = float(int(epoch))
                stamp = timestamp_fragment(second)
            parts = (current.prefix, stamp, request_part,
                     referers_get(referer) or referer_fragment(referer), current.visitor)
            if bad_fraction and bad_random() < bad_fraction:
                kind = self.bad_rng.choice(malformed.KINDS)
                self.stats.malformed[kind] += 1
                by_status[status] -= 1
                append(malformed.malformed_line(kind, parts, status, self.bad_rng))
            else:
                append("".join(parts))
        self.stats.requests += len(timestamps)
        self.stats.visitors = self.model.visitors
        self.stats.sessions = self.model.sessions
        return lines


def run(options: FileModeOptions, progress=None) -> TrafficStats:
    """Append the lines to `options.path`; returns what was written."""
    maker = LineMaker(options)
    clock: LiveClock | BackfillClock
    if options.backfill_hours:
        end = options.end_time if options.end_time is not None else time.time()
        clock = BackfillClock(end, options.backfill_hours, options.count or 0,
                              random.Random(f"{options.seed}/clock"))
    else:
        clock = LiveClock()
    options.path.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    deadline = started + options.duration if options.duration else None
    written = 0
    # O_APPEND and whole-line chunks: a tailing reader never sees half a line
    # from us, and lines Apache (or another writer) appends are not overwritten.
    fd = os.open(options.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        while options.count is None or written < options.count:
            now = time.monotonic()
            if deadline is not None and now >= deadline:
                break
            n = CHUNK_LINES
            if options.count is not None:
                n = min(n, options.count - written)
            if options.rate:
                due = int((now - started) * options.rate) + 1 - written
                if due <= 0:
                    time.sleep(min(0.05, (written + 1) / options.rate - (now - started)))
                    continue
                n = min(n, due)
            lines = maker.chunk(clock.take(n))
            _write_all(fd, "".join(lines).encode("latin-1"))
            written += n
            if progress is not None:
                progress.update(n)
    finally:
        os.close(fd)
    maker.stats.elapsed = time.monotonic() - started
    log.debug("file mode: %s", maker.stats.summary())
    return maker.stats


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]
