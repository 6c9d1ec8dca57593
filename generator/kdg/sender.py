"""Sending rendered records to a Kinesis stream (PutRecords) or a Firehose delivery stream
(PutRecordBatch) of the lab's LocalStack, at a rate, as KDG does.

As KDG's producer.js: every record is the rendered template plus "\\n" (so a Firehose
to S3 writes one record a line), a Kinesis record's partition key is a random integer
below 10^10, and calls carry at most 500 records (also kept under the APIs' byte
limits: 5 MiB a PutRecords call, 4 MiB a PutRecordBatch call). Unlike KDG (setInterval
once a second, failures ignored), the rate is paced by tokens (record n goes out at
n / rate seconds, so RATE=100 DURATION=60 is 6,000 records), and the entries a call
reports failed (FailedRecordCount, FailedPutCount) are sent again, with backoff, up to
`max_retries` times before they count as failed."""

from __future__ import annotations

import logging
import random
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from agent.aws import is_real_aws
from generator.kdg.helpers import make_context
from generator.kdg.template import Template

log = logging.getLogger(__name__)

KINDS = ("kinesis", "firehose")
MAX_BATCH = 500
TICK = 0.1  # seconds between calls below 500 records
MAX_BATCH_BYTES = {"kinesis": 5 * 1024 * 1024, "firehose": 4 * 1024 * 1024}
MAX_RECORD_BYTES = {"kinesis": 1024 * 1024, "firehose": 1000 * 1024}


@dataclass(frozen=True)
class Target:
    kind: str  # "kinesis" (a data stream) or "firehose" (a delivery stream)
    name: str

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"stream type {self.kind!r}: expected one of {', '.join(KINDS)}")


def make_clients(endpoint_url: str, region: str = "us-east-1") -> dict[str, Any]:
    """boto3 Kinesis, Firehose and Kinesis Analytics clients for the lab's LocalStack (never
    real AWS); the last only to tell the applications' output streams in the picker."""
    if not endpoint_url or is_real_aws(endpoint_url):
        raise ValueError(f"endpoint {endpoint_url!r}: the KDG sends to the lab's LocalStack only")
    return {kind: boto3.client(kind, endpoint_url=endpoint_url, region_name=region,
                               aws_access_key_id="test", aws_secret_access_key="test")
            for kind in (*KINDS, "kinesisanalytics")}


def analytics_outputs(clients: dict[str, Any]) -> dict[str, str]:
    """The Kinesis streams a Kinesis Analytics application writes to: name -> application.
    Empty when the service does not answer (the picker then just lists the streams)."""
    kda, outputs, start = clients["kinesisanalytics"], {}, None
    try:
        while True:
            page = kda.list_applications(Limit=50, **({"ExclusiveStartApplicationName": start} if start else {}))
            for app in page["ApplicationSummaries"]:
                detail = kda.describe_application(ApplicationName=app["ApplicationName"])["ApplicationDetail"]
                for output in detail.get("OutputDescriptions", []):
                    arn = (output.get("KinesisStreamsOutputDescription") or {}).get("ResourceARN", "")
                    if ":stream/" in arn:
                        outputs[arn.split(":stream/", 1)[1]] = app["ApplicationName"]
            if not page.get("HasMoreApplications") or not page["ApplicationSummaries"]:
                return outputs
            start = page["ApplicationSummaries"][-1]["ApplicationName"]
    except (BotoCoreError, ClientError) as error:
        log.debug("Kinesis Analytics applications not listed: %s", error)
        return outputs


def list_streams(clients: dict[str, Any]) -> dict[str, Any]:
    """Names of the Kinesis streams and Firehose delivery streams, as KDG's stream picker; the
    Kinesis streams an analytics application writes to come last ("outputs": name -> its
    application), so the picker's default is a stream to send to."""
    outputs = analytics_outputs(clients)
    kinesis = [name for page in clients["kinesis"].get_paginator("list_streams").paginate()
               for name in page["StreamNames"]]
    firehose, start = [], None
    while True:
        page = clients["firehose"].list_delivery_streams(
            Limit=100, **({"ExclusiveStartDeliveryStreamName": start} if start else {}))
        firehose += page["DeliveryStreamNames"]
        if not page.get("HasMoreDeliveryStreams") or not page["DeliveryStreamNames"]:
            break
        start = page["DeliveryStreamNames"][-1]
    return {"kinesis": sorted(kinesis, key=lambda name: (name in outputs, name)), "firehose": sorted(firehose),
            "outputs": {name: app for name, app in outputs.items() if name in kinesis}}


@dataclass
class Progress:
    sent: int = 0        # records the stream accepted
    failed: int = 0      # records still refused after the retries
    retried: int = 0     # entries sent again
    state: str = "starting"  # starting | running | finished | stopped | error
    error: str | None = None
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return {"sent": self.sent, "failed": self.failed, "retried": self.retried,
                    "state": self.state, "error": self.error}


class FatalSendError(RuntimeError):
    """The stream cannot take records at all (it does not exist, bad endpoint, ...)."""


class Generator:
    """One template sending to one stream; `run()` blocks, `start()` runs it in a thread."""

    def __init__(self, template: Template, target: Target, clients: dict[str, Any], rate: float,
                 count: int | None = None, duration: float | None = None, seed: int | None = None,
                 max_retries: int = 3, newline: bool = True) -> None:
        if rate < 0:
            raise ValueError("rate must be >= 0 (0 = as fast as possible)")
        if count is None and duration is None and rate == 0:
            raise ValueError("as fast as possible (rate 0) needs a count or a duration")
        self.template, self.target, self.rate = template, target, rate
        self.count, self.duration, self.max_retries = count, duration, max_retries
        self.newline = newline
        self.client = clients[target.kind]
        self.context = make_context(seed)
        self.keys = random.Random(seed)
        self.progress = Progress()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # --- control -------------------------------------------------------------------
    def start(self) -> None:
        self._thread = threading.Thread(target=self.run, name=f"kdg-{self.target.name}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop after the call in flight; join() waits for the final counts."""
        self._stop.set()

    def join(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    def run(self) -> Progress:
        self._set_state("running")
        try:
            self._loop()
        except FatalSendError as error:
            log.error("%s %s: %s", self.target.kind, self.target.name, error)
            with self.progress.lock:
                self.progress.state, self.progress.error = "error", str(error)
            return self.progress
        self._set_state("stopped" if self._stop.is_set() else "finished")
        return self.progress

    def _set_state(self, state: str) -> None:
        with self.progress.lock:
            self.progress.state = state

    # --- pacing ----------------------------------------------------------------------
    def _total(self) -> int | None:
        """How many records this generator sends in all (None: until stopped)."""
        totals = [self.count] if self.count is not None else []
        if self.duration is not None and self.rate:
            totals.append(int(self.duration * self.rate))
        return min(totals) if totals else None

    def _loop(self) -> None:
        """Record n is due at n / rate s; a call goes out every TICK s, or when 500 are due."""
        total = self._total()
        start = next_call = time.monotonic()
        produced = 0
        while not self._stop.is_set() and (total is None or produced < total):
            now = time.monotonic()
            elapsed = now - start
            if self.rate == 0 and self.duration is not None and elapsed >= self.duration:
                break
            due = MAX_BATCH if self.rate == 0 else int(elapsed * self.rate) + 1 - produced
            if total is not None:
                due = min(due, total - produced)
            last = total is not None and produced + due >= total
            if due <= 0 or (due < MAX_BATCH and now < next_call and not last):
                wake = next_call if due > 0 else start + (produced + 1) / self.rate
                self._stop.wait(min(max(wake - now, 0.001), TICK))
                continue
            batch = self._render(min(due, MAX_BATCH))
            produced += len(batch)
            next_call = time.monotonic() + TICK
            self._send(batch)

    def _render(self, n: int) -> list[bytes]:
        end = "\n" if self.newline else ""
        return [(self.template.render(self.context) + end).encode() for _ in range(n)]

    # --- calls -------------------------------------------------------------------------
    def _send(self, records: list[bytes]) -> None:
        limit = MAX_RECORD_BYTES[self.target.kind]
        too_big = [r for r in records if len(r) > limit]
        if too_big:
            log.warning("%d records over %d bytes not sent", len(too_big), limit)
            with self.progress.lock:
                self.progress.failed += len(too_big)
        chunk: list[bytes] = []
        size = 0
        for record in (r for r in records if len(r) <= limit):
            if size + len(record) + 10 > MAX_BATCH_BYTES[self.target.kind]:
                self._send_batch(chunk)
                chunk, size = [], 0
            chunk.append(record)
            size += len(record) + 10
        if chunk:
            self._send_batch(chunk)

    def _entries(self, records: list[bytes]) -> list[dict[str, Any]]:
        if self.target.kind == "kinesis":
            return [{"Data": r, "PartitionKey": str(self.keys.randrange(10**10))} for r in records]
        return [{"Data": r} for r in records]

    def _call(self, entries: list[dict[str, Any]]) -> list[bool]:
        """One call; True for each entry the stream refused."""
        try:
            if self.target.kind == "kinesis":
                answer = self.client.put_records(StreamName=self.target.name, Records=entries)
                results = answer["Records"]
            else:
                answer = self.client.put_record_batch(DeliveryStreamName=self.target.name,
                                                      Records=entries)
                results = answer["RequestResponses"]
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            if code in ("ResourceNotFoundException", "ValidationException",
                        "InvalidArgumentException", "AccessDeniedException"):
                raise FatalSendError(f"{code}: {error.response['Error'].get('Message', '')}") from None
            log.warning("call failed (%s), will retry", code)
            return [True] * len(entries)
        except BotoCoreError as error:
            log.warning("call failed (%s), will retry", error)
            return [True] * len(entries)
        return ["ErrorCode" in result for result in results]

    def _send_batch(self, records: list[bytes]) -> None:
        entries = self._entries(records)
        for attempt in range(self.max_retries + 1):
            refused = self._call(entries)
            failed = [entry for entry, bad in zip(entries, refused) if bad]
            with self.progress.lock:
                self.progress.sent += len(entries) - len(failed)
            if not failed:
                return
            if attempt == self.max_retries:
                break
            with self.progress.lock:
                self.progress.retried += len(failed)
            entries = failed
            time.sleep(min(0.1 * 2 ** attempt, 2.0))
        with self.progress.lock:
            self.progress.failed += len(failed)
        log.warning("%d records failed after %d retries", len(failed), self.max_retries)
