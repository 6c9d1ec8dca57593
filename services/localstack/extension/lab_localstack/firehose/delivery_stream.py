"""One running delivery stream: its definition, counters and background delivery thread.

Puts append records to the journal and return; the stream's delivery thread
waits until the buffer is due (SizeInMBs reached, or the oldest record is
IntervalInSeconds old; interval 0 = as soon as anything is buffered), takes the
oldest records up to SizeInMBs, runs them through batch_delivery and only then
removes them from the journal. Buffering uses the destination's hints; the
Lambda processor's BufferSizeInMBs sizes each invocation within a batch.
"""
from __future__ import annotations

import logging
import threading
import time

from lab_localstack.firehose import environment, record_consumers
from lab_localstack.firehose.batch_delivery import deliver_batch
from lab_localstack.firehose.counters import StreamCounters
from lab_localstack.firehose.glue_schema import GlueSchemas
from lab_localstack.firehose.journal import Journal, NewRecord, StreamKey
from lab_localstack.firehose.kinesis_source import KinesisPoller
from lab_localstack.firehose.lake_delivery import LakeDelivery
from lab_localstack.firehose.lambda_processor import LambdaTransformer
from lab_localstack.firehose.s3_writer import DeliveryStopped, S3Writer
from lab_localstack.firehose.search_delivery import SearchDelivery
from lab_localstack.firehose.stream_settings import StreamSettings, stream_settings

LOG = logging.getLogger(__name__)

# Past this many buffered bytes (delivery stuck, e.g. a missing bucket) puts are
# refused with ServiceUnavailableException, as AWS throttles a stream that cannot keep up.
_ERROR_BACKOFF_S = 2.0


class DeliveryStream:
    """A delivery stream of one account and region, with its delivery thread."""

    def __init__(self, key: StreamKey, description: dict, tags: list[dict], counters: StreamCounters,
                 journal: Journal):
        self.key = key
        self.account_id = key.account_id
        self.region = key.region
        self.description = description
        self.tags = tags
        self.counters = counters
        self.settings: StreamSettings = stream_settings(key.account_id, key.region, description)
        self.last_error = ""
        self._journal = journal
        self._lock = threading.Lock()              # counters and buffer state
        self._wakeup = threading.Condition(self._lock)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.buffered_records, self.buffered_bytes, self._oldest_ms = journal.buffered(key)
        self.kinesis_poller = None
        self._tools_for: StreamSettings | None = None
        self._tools: tuple = (None, None, None, None)

    @property
    def name(self) -> str:
        return self.settings.name

    # --- lifecycle --------------------------------------------------------------
    def start(self) -> None:
        """Start delivering, and reading the source Kinesis stream if there is one."""
        self._thread = threading.Thread(target=self._run, name=f"firehose-{self.name}", daemon=True)
        self._thread.start()
        if self.settings.kinesis_stream_arn:
            self.kinesis_poller = KinesisPoller(self, self._journal, self.settings.kinesis_stream_arn,
                                                self.settings.kinesis_start_ms)
            self.kinesis_poller.start()
        if self.buffered_records:
            LOG.info("stream %s resumes with %d buffered records", self.name, self.buffered_records)

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        with self._wakeup:
            self._wakeup.notify_all()
        if self.kinesis_poller is not None:
            self.kinesis_poller.stop(timeout)
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    def save(self) -> None:
        with self._lock:
            self._journal.save_stream(self.key, self.description, self.tags, self.counters.to_dict())

    def count_rejected(self, records: int) -> None:
        """Records refused at put time (the buffer is full)."""
        with self._lock:
            self.counters.rejected_puts += records

    def set_tags(self, tags: list[dict]) -> None:
        with self._lock:
            self.tags = list(tags)
        self.save()

    def replace_description(self, description: dict) -> None:
        """After UpdateDestination: the next batch uses the new settings."""
        with self._wakeup:
            self.description = description
            self.settings = stream_settings(self.account_id, self.region, description)
            self._wakeup.notify_all()
        self.save()

    # --- intake -----------------------------------------------------------------
    def over_capacity(self) -> bool:
        return self.buffered_bytes >= environment.current().max_buffered_bytes

    def room_for(self, sizes: list[int]) -> int:
        """How many of these records (in order) still fit under the buffer limit."""
        room = environment.current().max_buffered_bytes - self.buffered_bytes
        fitting = 0
        for size in sizes:
            if size > room:
                break
            room -= size
            fitting += 1
        return fitting

    def accept(self, records: list[NewRecord], checkpoints: dict[str, str] | None = None) -> None:
        """Journal the records (durably), wake the delivery thread, then offer them to the
        stream's in-process consumers (record_consumers: Kinesis Analytics inputs)."""
        if not records and not checkpoints:
            return
        size = sum(len(r.data) for r in records)
        with self._wakeup:
            self.counters.received += len(records)
            try:
                self._journal.append(self.key, records, self.counters.to_dict(), checkpoints)
            except Exception:
                self.counters.received -= len(records)
                raise
            self.buffered_records += len(records)
            self.buffered_bytes += size
            if records and self._oldest_ms is None:
                self._oldest_ms = min(r.arrival_ms for r in records)
            self._wakeup.notify_all()
        record_consumers.offer(self.description["DeliveryStreamARN"], records)

    # --- delivery thread ------------------------------------------------------------
    def _seconds_until_due(self) -> float | None:
        """0 when a batch is due, seconds to wait otherwise, None when nothing is buffered."""
        if self.buffered_records == 0:
            return None
        if self.buffered_bytes >= self.settings.buffer_size_bytes:
            return 0.0
        due_at = (self._oldest_ms or 0) / 1000 + self.settings.buffer_interval_s * environment.current().buffer_time_scale
        return max(0.0, due_at - time.time())

    def _run(self) -> None:
        while not self._stop.is_set():
            with self._wakeup:
                wait = self._seconds_until_due()
                if wait is None or wait > 0:
                    self._wakeup.wait(timeout=wait)
                    continue
                settings = self.settings
            try:
                self._deliver_next_batch(settings)
            except DeliveryStopped:
                LOG.info("stream %s stopped during delivery; its batch stays buffered", self.name)
                return
            except Exception as error:
                self.last_error = f"{type(error).__name__}: {error}"
                LOG.exception("stream %s: batch delivery failed; retrying", self.name)
                self._stop.wait(_ERROR_BACKOFF_S)

    def _delivery_tools(self, settings: StreamSettings):
        """Clients for the current settings, made once (creating clients is slow)."""
        if self._tools_for is not settings:
            transformer = (LambdaTransformer(settings.processor, settings.arn, settings.account_id,
                                             settings.region, self._stop, settings.kinesis_stream_arn)
                           if settings.processor else None)
            s3 = S3Writer(settings.account_id, settings.region, settings.name, self._stop, self._retrying)
            search = SearchDelivery(settings.search, self._stop, self._retrying) if settings.search else None
            lake = None
            if settings.search is None and settings.shapes_objects:
                schemas = GlueSchemas(settings.account_id, settings.region) if settings.conversion else None
                lake = LakeDelivery(settings, s3, schemas)
            self._tools = (transformer, s3, search, lake)
            self._tools_for = settings
        return self._tools

    def _retrying(self, reason: str) -> None:
        with self._lock:
            self.counters.delivery_retries += 1
            self.last_error = reason

    def _deliver_next_batch(self, settings: StreamSettings) -> None:
        batch = self._journal.take(self.key, settings.buffer_size_bytes)
        if not batch:
            with self._lock:
                self.buffered_records, self.buffered_bytes, self._oldest_ms = self._journal.buffered(self.key)
            return
        transformer, s3, search, lake = self._delivery_tools(settings)
        invocations, lambda_errors = (transformer.invocations, transformer.errors) if transformer else (0, 0)
        bulk_requests = search.bulk_requests if search else 0
        started = time.monotonic()
        result = deliver_batch(settings, batch, transformer, s3, search, lake)
        size = sum(len(r.data) for r in batch)
        with self._lock:
            c = self.counters
            c.add(result)
            c.bulk_requests += (search.bulk_requests if search else 0) - bulk_requests
            if transformer:
                c.lambda_invocations += transformer.invocations - invocations
                c.lambda_errors += transformer.errors - lambda_errors
            self._journal.complete(self.key, [r.row_id for r in batch], c.to_dict())
            self.buffered_records -= len(batch)
            self.buffered_bytes -= size
            self._oldest_ms = self._journal.oldest_arrival(self.key) if self.buffered_records else None
        LOG.info("stream %s delivered a batch of %d records in %.2fs: %s", self.name, len(batch),
                 time.monotonic() - started, result)

    # --- status -------------------------------------------------------------------
    def status(self) -> dict:
        with self._lock:
            counters = self.counters.to_dict()
            buffered = {"buffered_records": self.buffered_records, "buffered_bytes": self.buffered_bytes}
        s = self.settings
        destination = "s3" if s.search is None else s.search.flavor.lower()
        return {
            "name": s.name,
            "arn": s.arn,
            "account_id": self.account_id,
            "region": self.region,
            "status": self.description.get("DeliveryStreamStatus"),
            "type": self.description.get("DeliveryStreamType"),
            "version_id": s.version_id,
            "destination": destination,
            "buffering": {"size_bytes": s.buffer_size_bytes, "interval_s": s.buffer_interval_s},
            "lambda": s.processor.function_arn if s.processor else None,
            "kinesis_source": s.kinesis_stream_arn,
            "counters": {**counters, **buffered},
            "last_error": self.last_error,
        }
