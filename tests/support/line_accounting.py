"""Per-line accounting of the native lab: where did every line written end up?

A line written to Apache's access log must end, exactly once in normal
operation and at least once under faults, in one of these places:

    indexed            a document in the index `apache`
    processing_failed  a record under `processing-failed/` (rawData = the line as sent)
    delivery_failed    a record under `AmazonOpenSearchService-failed/` (rawData = its document)
    dropped            Firehose's `dropped` counter (the ETL returned Dropped)

How a line is recognised in those places: the agent sends the line as written
(with its newline; a line over 1,000 KiB cut to the limit, as the Kinesis Agent
does), and the ETL turns it into a document. `expected_outcome` runs the lab's
real ETL function on that record to predict the outcome and the document, so
a document in the index (or in the failed-documents prefix) is matched to the
line(s) whose predicted document it is, and a processing-failed record to the
line(s) it was sent as. Matching is by multiset: identical lines are fine, each
needs its own copy. A line with more copies than it was written is duplicated;
with none, lost. Artifacts that match no line at all are `unmatched` (a
document the ETL would not have produced from any line written: corruption).

Observations accumulate (`LabObserver`): the OpenSearch-API server and
LocalStack's S3 keep their data in memory, so fault tests that restart them
take a snapshot first and the observer keeps the union (documents by id,
objects by key).
"""
from __future__ import annotations

import base64
import json
import logging
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import boto3
import requests
from botocore.exceptions import BotoCoreError, ClientError
from labctl import geoip
from labctl import settings as lab
from labctl.settings import LabSettings
from opensearchpy import OpenSearch, helpers
from opensearchpy import exceptions as opensearch_errors

from etl.config import EtlConfig
from etl.handler import transform_records
from tests.support.waiting import scaled

# The Kinesis Agent's record limit (README.md, Facts 3; agent/records.py): a longer
# line is cut to this size, its last byte replaced by the terminator "\n".
MAX_RECORD_BYTES = 1000 * 1024

PROCESSING_FAILED_PREFIX = "processing-failed/"
# The provider writes failed documents under the S3 prefix (`apache_AmazonOpenSearchService-failed/`);
# a top-level folder is accepted too, as AWS's documentation shows both.
DELIVERY_FAILED_FOLDERS = ("AmazonOpenSearchService-failed/", "elasticsearch-failed/")


def s3_place(key: str) -> str | None:
    """What an object of the backup bucket holds: processing_failed, delivery_failed, backup."""
    if key.startswith(PROCESSING_FAILED_PREFIX):
        return "processing_failed"
    for folder in DELIVERY_FAILED_FOLDERS:
        if key.startswith((folder, lab.BACKUP_PREFIX + folder)):
            return "delivery_failed"
    if key.startswith(lab.BACKUP_PREFIX):
        return "backup"
    return None

OK, FAILED, DROPPED = "Ok", "ProcessingFailed", "Dropped"


# --- what a line should become ------------------------------------------------------
def sent_record(line: bytes) -> bytes:
    """The Firehose record the agent makes of one written line (newline included)."""
    if len(line) <= MAX_RECORD_BYTES:
        return line
    return line[:MAX_RECORD_BYTES - 1] + b"\n"


def document_key(document: dict) -> str:
    """A document's identity for matching: its canonical JSON."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@dataclass(frozen=True)
class Expected:
    """The predicted outcome of one line: result, and the document when Ok."""

    record: bytes              # what the agent sends
    result: str                # Ok | ProcessingFailed | Dropped
    document_key: str | None   # canonical JSON of the document (Ok only)


def expected_outcomes(lines: list[bytes], etl_config: EtlConfig | None = None) -> list[Expected]:
    """Run the lab's ETL on the lines as the agent sends them (no drop rules by default)."""
    config = etl_config or EtlConfig()
    logging.getLogger("etl.handler").disabled = True   # it logs every failed batch; not ours
    records = [sent_record(line) for line in lines]
    outcomes: list[Expected] = []
    for start in range(0, len(records), 500):
        chunk = records[start:start + 500]
        event = [{"recordId": str(i), "approximateArrivalTimestamp": 0,
                  "data": base64.b64encode(r).decode()} for i, r in enumerate(chunk)]
        for record, out in zip(chunk, transform_records(event, config)):
            key = None
            if out["result"] == OK:
                key = document_key(json.loads(base64.b64decode(out["data"])))
            outcomes.append(Expected(record, out["result"], key))
    return outcomes


# --- what the lab holds -------------------------------------------------------------
def split_lines(data: bytes) -> list[bytes]:
    """Complete lines (each with its newline); an unterminated tail is not a line yet."""
    lines = data.split(b"\n")
    return [line + b"\n" for line in lines[:-1]]


def read_log_lines(log_dir: Path) -> list[bytes]:
    """Every line in access_log and its rotations (the ledger for Apache-written lines)."""
    lines: list[bytes] = []
    for path in sorted(log_dir.glob("access_log*")):
        lines += split_lines(path.read_bytes())
    return lines


def firehose_counters(s: LabSettings) -> dict:
    """The lab extension's counters of `webserver_stream` ({} when LocalStack is down)."""
    try:
        data = requests.get(f"{s.localstack_url}/_lab/firehose/streams/{lab.DELIVERY_STREAM}",
                            timeout=5).json()
    except (requests.RequestException, ValueError):
        return {}
    return data.get("counters", {})


def _json_values(body: bytes) -> list[dict]:
    """JSON objects in an S3 object body: JSON lines, or `}{`-concatenated."""
    decoder = json.JSONDecoder()
    text = body.decode("utf-8")
    values, position = [], 0
    while True:
        while position < len(text) and text[position] in " \r\n\t":
            position += 1
        if position >= len(text):
            return values
        value, position = decoder.raw_decode(text, position)
        values.append(value)


@dataclass
class Observation:
    """What the lab holds at one moment (merged over snapshots)."""

    indexed: Counter = field(default_factory=Counter)           # document key -> documents
    backup: Counter = field(default_factory=Counter)            # document key -> copies under apache_
    delivery_failed: Counter = field(default_factory=Counter)   # document key -> failed records
    processing_failed: Counter = field(default_factory=Counter)  # sent record -> failed records
    dropped: int = 0
    firehose: dict = field(default_factory=dict)


class LabObserver:
    """Reads the index, the S3 bucket and the counters; keeps the union of what it saw."""

    def __init__(self, s: LabSettings):
        self.settings = s
        self.documents: dict[str, dict] = {}       # (index, _id) -> _source
        self.objects: dict[str, bytes] = {}        # S3 key -> body
        self.firehose: dict = {}

    def snapshot_index(self) -> None:
        client = OpenSearch(self.settings.opensearch_url, timeout=60)
        if not client.indices.exists(index=f"{lab.INDEX_NAME}*"):
            return
        for hit in helpers.scan(client, index=f"{lab.INDEX_NAME}*", query={"query": {"match_all": {}}},
                                size=2000, scroll="2m"):
            self.documents[f"{hit['_index']}/{hit['_id']}"] = hit["_source"]

    def snapshot_s3(self) -> None:
        s3 = boto3.client("s3", endpoint_url=self.settings.localstack_url, region_name=lab.REGION,
                          aws_access_key_id="test", aws_secret_access_key="test")
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=lab.BACKUP_BUCKET):
            for obj in page.get("Contents", []):
                if obj["Key"].startswith(geoip.S3_PREFIX):
                    continue  # the ETL's GeoIP databases (labctl.geoip), not delivered records
                if obj["Key"] not in self.objects:
                    self.objects[obj["Key"]] = s3.get_object(
                        Bucket=lab.BACKUP_BUCKET, Key=obj["Key"])["Body"].read()

    def snapshot(self) -> None:
        """Take in everything the lab holds now (call before restarting a store).
        A store that is down or not provisioned yet adds nothing this time."""
        try:
            self.snapshot_index()
        except opensearch_errors.ConnectionError:
            pass
        try:
            self.snapshot_s3()
        except (ClientError, BotoCoreError):
            pass
        counters = firehose_counters(self.settings)
        if counters:
            self.firehose = counters

    def observation(self) -> Observation:
        obs = Observation(firehose=dict(self.firehose), dropped=int(self.firehose.get("dropped", 0)))
        for source in self.documents.values():
            obs.indexed[document_key(source)] += 1
        for key, body in self.objects.items():
            place = s3_place(key)
            if place == "processing_failed":
                for item in _json_values(body):
                    obs.processing_failed[base64.b64decode(item["rawData"])] += 1
            elif place == "delivery_failed":
                for item in _json_values(body):
                    obs.delivery_failed[document_key(json.loads(base64.b64decode(item["rawData"])))] += 1
            elif place == "backup":
                for document in _json_values(body):
                    obs.backup[document_key(document)] += 1
        return obs


# --- the accounting -----------------------------------------------------------------
PLACES = ("indexed", "processing_failed", "delivery_failed", "dropped")


@dataclass
class Accounting:
    """Per-line fate of a set of written lines."""

    written: int = 0
    indexed: int = 0
    processing_failed: int = 0
    delivery_failed: int = 0
    dropped: int = 0
    duplicated: int = 0        # lines with more than one copy
    extra_copies: int = 0      # copies beyond one per line
    lost: int = 0              # lines found nowhere
    unmatched: int = 0         # artifacts matching no line written (only for the whole lab)
    backup_missing: int = 0    # Ok lines delivered (indexed or failed) without their apache_ copy
    lost_samples: list[bytes] = field(default_factory=list)
    fates: list[str] = field(default_factory=list)   # per line: its place, or "lost"
    is_subset: bool = False    # a case's share of the lab: unmatched/backup_missing not known

    @property
    def conserved(self) -> bool:
        """indexed + processing-failed + delivery-failed + dropped == written, each once."""
        return (self.lost == 0 and self.duplicated == 0 and self.indexed + self.processing_failed
                + self.delivery_failed + self.dropped == self.written)

    def row(self) -> dict:
        keys = ["written", "indexed", "processing_failed", "delivery_failed", "dropped", "duplicated",
                "extra_copies", "lost"]
        if not self.is_subset:
            keys += ["unmatched", "backup_missing"]
        return {k: getattr(self, k) for k in keys}

    def subset(self, positions: range | list[int]) -> Accounting:
        """The accounting of some of the lines (one fault case's), from the per-line fates."""
        part = Accounting(written=len(positions), is_subset=True)
        for p in positions:
            fate = self.fates[p]
            base, _, extra = fate.partition("+")
            if base == "lost":
                part.lost += 1
                if len(part.lost_samples) < 5:
                    part.lost_samples.append(b"line %d" % p)
            else:
                setattr(part, base, getattr(part, base) + 1)
            if extra:
                part.duplicated += 1
                part.extra_copies += int(extra)
        return part


def account(expected: list[Expected], obs: Observation) -> Accounting:
    """Match every line to one copy of its outcome; the rest are duplicates or unmatched."""
    indexed, delivery_failed = Counter(obs.indexed), Counter(obs.delivery_failed)
    processing_failed, backup = Counter(obs.processing_failed), Counter(obs.backup)
    dropped_left = obs.dropped
    acc = Accounting(written=len(expected), fates=[""] * len(expected))

    def take(counter: Counter, key) -> bool:
        if key is not None and counter[key] > 0:
            counter[key] -= 1
            return True
        return False

    # First pass: one copy per line. A line the ETL accepts can still end in
    # processing-failed/ (its Lambda batch failed), so both places are tried.
    for i, exp in enumerate(expected):
        if take(indexed, exp.document_key):
            fate = "indexed"
        elif take(delivery_failed, exp.document_key):
            fate = "delivery_failed"
        elif take(processing_failed, exp.record):
            fate = "processing_failed"
        elif exp.result == DROPPED and dropped_left > 0:
            dropped_left -= 1
            fate = "dropped"
        else:
            fate = "lost"
            acc.lost += 1
            if len(acc.lost_samples) < 5:
                acc.lost_samples.append(exp.record[:300])
        if fate != "lost":
            setattr(acc, fate, getattr(acc, fate) + 1)
            if fate in ("indexed", "delivery_failed") and not take(backup, exp.document_key):
                acc.backup_missing += 1
        acc.fates[i] = fate
    # Second pass: further copies of a line are duplicates.
    for i, exp in enumerate(expected):
        extra = 0
        while take(indexed, exp.document_key) or take(delivery_failed, exp.document_key) \
                or take(processing_failed, exp.record):
            extra += 1
        if extra:
            acc.duplicated += 1
            acc.extra_copies += extra
            acc.fates[i] += f"+{extra}"
    acc.unmatched = sum(indexed.values()) + sum(delivery_failed.values()) + sum(processing_failed.values())
    return acc


def wait_until_accounted(observer: LabObserver, expected: list[Expected], timeout: float = 180.0,
                         poll_s: float = 1.0) -> Accounting:
    """Poll until every line is found and Firehose holds nothing buffered; then one
    more poll after Firehose's received counter stopped moving (late duplicates).
    Returns the last accounting (with lost > 0 if the deadline passed)."""
    deadline = time.monotonic() + scaled(timeout)
    previous_received = None
    acc = Accounting()
    while True:
        observer.snapshot()
        acc = account(expected, observer.observation())
        fh = observer.firehose
        settled = acc.lost == 0 and fh.get("buffered_records", 1) == 0
        if settled and fh.get("received") == previous_received:
            return acc
        previous_received = fh.get("received") if settled else None
        if time.monotonic() > deadline:
            return acc
        time.sleep(poll_s)


# --- reporting ----------------------------------------------------------------------
REPORT_COLUMNS = ("written", "indexed", "processing_failed", "delivery_failed", "dropped",
                  "duplicated", "lost", "unmatched", "backup_missing")


def format_table(rows: list[tuple[str, dict]]) -> str:
    """A plain-text table: one row per case."""
    headers = ("case",) + REPORT_COLUMNS
    cells = [headers] + [(name,) + tuple(str(row.get(c, "")) for c in REPORT_COLUMNS) for name, row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    return "\n".join("  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths)))
                     for r in cells)
