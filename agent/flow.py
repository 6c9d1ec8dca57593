"""One flow: its files (Tailer) -> records -> processing -> batches -> its
sender thread -> checkpoints.

The main thread reads and builds batches (`step`); one sender thread per flow
delivers them strictly in order, so a file's checkpoint can only move forward,
to the end of the longest fully delivered prefix of its records. A bounded
queue between the two (publishQueueCapacity batches) caps memory however far
behind delivery is: reading simply waits.
"""
from __future__ import annotations

import logging
import queue
import re
import threading
import time
from typing import Any

from agent import processing
from agent.checkpoints import Checkpoint, CheckpointStore
from agent.config import KINESIS, MAX_RECORD_BYTES, FlowConfig
from agent.records import Record, RecordSplitter
from agent.sender import Batch, Sender
from agent.stats import FlowStats
from agent.tailer import Tailer, TrackedFile

LOG = logging.getLogger(__name__)

READ_CHUNK = 1024 * 1024
READ_BUDGET = 8 * 1024 * 1024       # per step, so discovery and other flows get a turn
PARTITION_KEY_BYTES = 32            # counted against the Kinesis 5 MiB request limit


class Flow:
    """Reads the files of one flow and ships them to its stream."""

    def __init__(self, cfg: FlowConfig, client: Any, store: CheckpointStore):
        self.cfg = cfg
        self.store = store
        self.stats = FlowStats()
        self.lock = threading.Lock()        # tailer state vs. commits from the sender thread
        self.wake = threading.Event()
        self._deadline: float | None = None
        self.sender = Sender(client, cfg, self.stats, lambda: self._deadline, self.wake)
        self.convert = processing.build_chain(list(cfg.data_processing_options))
        start = re.compile(cfg.multi_line_start_pattern.encode()) \
            if cfg.multi_line_start_pattern else None

        def make_splitter(offset: int) -> RecordSplitter:
            return RecordSplitter(offset, start_pattern=start,
                                  skip_header_lines=cfg.skip_header_lines,
                                  max_record_bytes=MAX_RECORD_BYTES,
                                  terminator=cfg.truncated_record_terminator)

        known = store.load(cfg.id)
        self.tailer = Tailer(cfg.file_pattern, start_at_end=cfg.initial_position == "END_OF_FILE",
                             make_splitter=make_splitter, known=known)
        self.queue: queue.Queue[Batch | None] = queue.Queue(maxsize=cfg.publish_queue_capacity)
        self.buffer = Batch()
        self.overhead = PARTITION_KEY_BYTES if cfg.destination_type == KINESIS else 0
        self.max_age_s = cfg.max_buffer_age_ms / 1000
        self.poll_s = cfg.poll_interval_ms / 1000
        self._next_discovery = 0.0
        self.stopping = False
        self.thread = threading.Thread(target=self._send_loop, daemon=True,
                                       name=f"send-{cfg.destination}")
        LOG.info("flow %s: %d checkpoint(s) loaded", cfg.id, len(known))

    def start(self) -> None:
        self.thread.start()

    # --- reading (main thread) -------------------------------------------------
    def step(self) -> bool:
        """Discover, read what is new, batch it; True if anything was read."""
        now = time.monotonic()
        if now >= self._next_discovery:
            self._next_discovery = now + self.poll_s
            with self.lock:
                self.tailer.discover()
            self._housekeeping(now)
        did_read = False
        budget = READ_BUDGET
        for tf in self.tailer.files_to_read():
            while budget > 0 and not self.stopping:
                with self.lock:     # a read may find the file truncated and replace it
                    data = self.tailer.read(tf, READ_CHUNK)
                if not data:
                    break
                did_read = True
                budget -= len(data)
                self.stats.bytes_read += len(data)
                self.stats.lines_read += data.count(b"\n")
                truncated = tf.splitter.truncated
                records = tf.splitter.feed(data)
                self.stats.records_truncated += tf.splitter.truncated - truncated
                self._add(tf, records)
            if budget <= 0 or self.stopping:
                break
        if len(self.buffer) and time.monotonic() - self.buffer.created >= self.max_age_s:
            self._hand_over()
        return did_read

    def _housekeeping(self, now: float) -> None:
        for tf in self.tailer.finishable():
            # Rotated away and quiet: emit what the splitter holds back, then a
            # marker so the checkpoint reaches the very end of the file.
            self._add(tf, tf.splitter.finish())
            self._add_marker(tf, tf.read_offset)
            tf.finished = True
        if self.cfg.multi_line_start_pattern:
            for tf in self.tailer.files_to_read():
                if now - tf.last_change >= self.max_age_s:
                    self._add(tf, tf.splitter.flush_group())
        with self.lock:
            self.tailer.close_delivered()

    def _add(self, tf: TrackedFile, records: list[Record]) -> None:
        if not records or self.stopping:
            return                  # at shutdown: not queued, so read again after a restart
        stats = self.stats
        stats.records_parsed += len(records)
        convert, overhead = self.convert, self.overhead
        max_records, max_bytes = self.cfg.max_buffer_size_records, self.cfg.max_buffer_size_bytes
        buf = self.buffer
        for data, end in records:
            if convert is not None:
                data = convert(data)
                if data is None:
                    stats.records_filtered += 1
                    buf.add(None, tf, end)
                    continue
                if len(data) > MAX_RECORD_BYTES:
                    term = self.cfg.truncated_record_terminator
                    data = data[:MAX_RECORD_BYTES - len(term)] + term
                    stats.records_truncated += 1
            size = len(data) + overhead
            if buf.nrecords >= max_records or buf.nbytes + size > max_bytes:
                if not self._hand_over():
                    return
                buf = self.buffer
            # Inlined Batch.add: this loop runs once per line.
            buf.datas.append(data)
            buf.files.append(tf)
            buf.ends.append(end)
            buf.nbytes += size
            buf.nrecords += 1
            if buf.nrecords >= max_records:
                if not self._hand_over():
                    return
                buf = self.buffer

    def _add_marker(self, tf: TrackedFile, end: int) -> None:
        self.buffer.add(None, tf, end)

    def _hand_over(self, deadline: float | None = None) -> bool:
        """Queue the current batch for the sender; waits while the queue is full."""
        batch, self.buffer = self.buffer, Batch()
        while True:
            try:
                self.queue.put(batch, timeout=0.2)
                return True
            except queue.Full:
                if deadline is not None and time.monotonic() >= deadline:
                    return False    # not delivered: its lines are read again after a restart
                if deadline is None and self.stopping:
                    self.buffer = batch
                    return False

    # --- delivery (sender thread) ----------------------------------------------
    def _send_loop(self) -> None:
        while True:
            batch = self.queue.get()
            if batch is None:
                return
            delivered = self.sender.deliver(batch)
            self._commit(batch, delivered)
            if not all(delivered):
                return              # shutdown deadline passed mid-batch

    def _commit(self, batch: Batch, delivered: list[bool]) -> None:
        """Advance each file's checkpoint to the end of its delivered prefix."""
        ends: dict[TrackedFile, int] = {}
        blocked: set[TrackedFile] = set()
        for ok, tf, end in zip(delivered, batch.files, batch.ends):
            if tf in blocked:
                continue
            if ok:
                ends[tf] = end
            else:
                blocked.add(tf)
        with self.lock:
            rows: list[Checkpoint] = []
            for tf, end in ends.items():
                self._advance(tf, end, rows)
            self.store.save(self.cfg.id, rows)

    def _advance(self, tf: TrackedFile, end: int, rows: list[Checkpoint]) -> None:
        todo = [tf]
        while todo:
            f = todo.pop()
            f.committed = max(f.committed, end)
            # Only the current owner of an inode writes its row (a superseded
            # identity, e.g. before a truncation, must not overwrite it).
            if f.live and self.tailer.live.get(f.key) is f:
                rows.append(f.checkpoint())
            todo.extend(f.followers)

    # --- shutdown and status ------------------------------------------------------
    def begin_shutdown(self, deadline: float) -> None:
        self.stopping = True
        self._deadline = deadline
        self.wake.set()

    def flush(self, deadline: float) -> None:
        """Hand the partial batch to the sender, then the end-of-work marker."""
        if len(self.buffer):
            self._hand_over(deadline)
        while time.monotonic() < deadline:
            try:
                self.queue.put(None, timeout=0.1)
                return
            except queue.Full:
                continue

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            files = [{"path": f.path, "device": f.dev, "inode": f.ino, "size": f.size,
                      "read_offset": f.read_offset, "committed_offset": f.committed,
                      "rotated_away": f.gone, "copy_of": f.source.path if f.source else None}
                     for f in self.tailer.live.values()]
            backlog = self.tailer.backlog_bytes()
            matched = self.tailer.matched
        return {"id": self.cfg.id, "destination_type": self.cfg.destination_type,
                "destination": self.cfg.destination, "file_pattern": self.cfg.file_pattern,
                "files_matched": matched, "backlog_bytes": backlog,
                "queued_batches": self.queue.qsize(), "buffered_records": self.buffer.nrecords,
                **self.stats.as_dict(), "files": files}
