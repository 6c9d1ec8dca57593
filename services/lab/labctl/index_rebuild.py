"""The native index rebuilt from the S3 backup after the OpenSearch-API server starts.

`osmem-server` (the native runtime's OpenSearch API) keeps its index in memory and has no
persistence of its own (only `-seed` at start), so a fresh server process starts empty.
Every document Firehose indexed is also in S3: a delivery stream with an OpenSearch
destination and `S3BackupMode=AllDocuments` writes each batch it indexed, after the bulk
request, as one object under its S3 prefix (the ETL's JSON documents, concatenated).

`make up` (native.up, after provisioning) calls `start_if_needed`: when the server
process running now has not been rebuilt yet, it records that a rebuild is due and starts
the supervisord program `index-rebuild` (`python -m labctl.index_rebuild`), which, for
each such delivery stream:

- lists the backup objects written up to the second the server started (later objects
  were indexed by Firehose into this server already), leaving out the failed folders and
  `processing-failed/`;
- indexes their documents into the stream's index with `_bulk`, except those Firehose
  gave up on (`AmazonOpenSearchService-failed/` holds them with their bytes: they were
  never in the index);
- writes its progress to `<state dir>/index-rebuild.json`, which `make status` shows
  ("rebuilding 12 of 40 objects", then "done: N documents").

Firehose delivers at least once, and a batch it replays after a crash may also be in the
rebuilt backup: duplicates are possible there, as in AWS's own retries.
"""
from __future__ import annotations

import argparse
import base64
import json
import logging
import os
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import boto3
import requests

from labctl import settings as lab

LOG = logging.getLogger(__name__)
PROGRAM = "index-rebuild"
BULK_DOCUMENTS = 2000
SKIPPED_PREFIXES = ("processing-failed/",)


@dataclass
class RebuildState:
    state: str = "pending"                  # pending, rebuilding, done, failed
    opensearch_started: int = 0             # the server process this rebuild is for (epoch s)
    objects_total: int = 0
    objects_done: int = 0
    documents: int = 0
    skipped_failed: int = 0                 # documents Firehose had given up on: not indexed
    started_at: float = 0.0
    finished_at: float = 0.0
    error: str = ""
    indexes: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        if self.state == "rebuilding":
            return (f"rebuilding from the S3 backup: {self.objects_done} of {self.objects_total} "
                    f"objects, {self.documents} documents so far")
        if self.state == "done":
            return (f"rebuilt from the S3 backup: {self.documents} documents from {self.objects_total} "
                    f"objects in {self.finished_at - self.started_at:.1f}s")
        if self.state == "failed":
            return f"rebuild from the S3 backup failed: {self.error}"
        return "rebuild from the S3 backup pending"


@dataclass(frozen=True)
class Target:
    state_dir: Path
    localstack_url: str
    opensearch_url: str


def state_file(state_dir: Path) -> Path:
    return state_dir / "index-rebuild.json"


def read_state(state_dir: Path) -> RebuildState | None:
    try:
        return RebuildState(**json.loads(state_file(state_dir).read_text()))
    except (OSError, ValueError, TypeError):
        return None


def write_state(state_dir: Path, state: RebuildState) -> None:
    path = state_file(state_dir)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(asdict(state), indent=2) + "\n")
    os.replace(tmp, path)


def supervisor_program(target: Target, logs: Path) -> str:
    """The program's block in the native lab's supervisord.conf: started by `make up` only,
    run once (startsecs=0: a quick, successful exit is not a failed start), never restarted."""
    argv = [sys.executable, "-m", "labctl.index_rebuild", "--state-dir", str(target.state_dir),
            "--localstack-url", target.localstack_url, "--opensearch-url", target.opensearch_url]
    return "\n".join([
        f"[program:{PROGRAM}]", "command=" + " ".join(argv).replace("%", "%%"),
        f"directory={lab.REPO_ROOT}", "autostart=false", "autorestart=false", "startsecs=0",
        "startretries=0", "stopasgroup=true", "killasgroup=true", "redirect_stderr=true",
        f"stdout_logfile={logs / (PROGRAM + '.log')}", "stdout_logfile_maxbytes=5MB", "", ""])


def start_if_needed(state_dir: Path, rpc) -> bool:
    """Start the rebuild program when the running server process has not been rebuilt.
    `rpc` is supervisord's XML-RPC proxy. True when a rebuild was started."""
    started = int(rpc.supervisor.getProcessInfo("opensearch")["start"])
    previous = read_state(state_dir)
    if previous is not None and previous.opensearch_started == started and previous.state != "failed":
        return False
    write_state(state_dir, RebuildState(state="pending", opensearch_started=started))
    rpc.supervisor.startProcess(PROGRAM, False)
    return True


# --- the rebuild itself (the supervisord program) ----------------------------------------
def _client(service: str, target: Target):
    return boto3.client(service, endpoint_url=target.localstack_url, region_name=lab.REGION,
                        aws_access_key_id="test", aws_secret_access_key="test")


@dataclass(frozen=True)
class BackupSource:
    bucket: str
    prefix: str
    index: str
    failed_folder: str          # "<prefix>AmazonOpenSearchService-failed/" or elasticsearch-failed/


def backup_sources(firehose) -> list[BackupSource]:
    """Delivery streams whose every indexed document is backed up to S3."""
    sources = []
    for name in firehose.list_delivery_streams(Limit=10000)["DeliveryStreamNames"]:
        description = firehose.describe_delivery_stream(DeliveryStreamName=name)["DeliveryStreamDescription"]
        for destination in description.get("Destinations", []):
            for kind, folder in (("AmazonopensearchserviceDestinationDescription", "AmazonOpenSearchService-failed/"),
                                 ("ElasticsearchDestinationDescription", "elasticsearch-failed/")):
                search = destination.get(kind)
                if not search or search.get("S3BackupMode") != "AllDocuments":
                    continue
                s3 = search["S3DestinationDescription"]
                prefix = s3.get("Prefix") or ""
                sources.append(BackupSource(bucket=s3["BucketARN"].split(":::")[-1], prefix=prefix,
                                            index=search["IndexName"], failed_folder=prefix + folder))
    return sources


def documents(body: bytes) -> Iterator[str]:
    """The JSON documents of one backup object (concatenated, with or without newlines)."""
    if body[:2] == b"\x1f\x8b":
        import gzip
        body = gzip.decompress(body)
    text = body.decode("utf-8", errors="replace")
    decoder = json.JSONDecoder()
    position = 0
    while True:
        while position < len(text) and text[position].isspace():
            position += 1
        if position >= len(text):
            return
        _value, end = decoder.raw_decode(text, position)
        yield text[position:end]
        position = end


def _objects(s3, bucket: str, prefix: str, until: float) -> Iterator[dict]:
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for obj in page.get("Contents", []):
            if obj["LastModified"].timestamp() <= until:
                yield obj


def _failed_documents(s3, source: BackupSource, until: float) -> Counter:
    failed: Counter = Counter()
    for obj in _objects(s3, source.bucket, source.failed_folder, until):
        body = s3.get_object(Bucket=source.bucket, Key=obj["Key"])["Body"].read()
        for line in body.splitlines():
            if line.strip():
                raw = base64.b64decode(json.loads(line)["rawData"]).decode("utf-8", errors="replace")
                failed[raw.strip()] += 1
    return failed


def _bulk(session: requests.Session, opensearch_url: str, index: str, docs: list[str]) -> None:
    action = json.dumps({"index": {"_index": index}})
    body = "".join(f"{action}\n{doc}\n" for doc in docs)
    response = session.post(f"{opensearch_url}/_bulk", data=body.encode(),
                            headers={"Content-Type": "application/x-ndjson"}, timeout=300)
    response.raise_for_status()
    if response.json().get("errors"):
        first = next(i for i in response.json()["items"] if "error" in next(iter(i.values())))
        raise RuntimeError(f"bulk indexing into {index} refused a document: {first}")


def rebuild(target: Target) -> RebuildState:
    state = read_state(target.state_dir) or RebuildState()
    state.state, state.started_at = "rebuilding", time.time()
    until = state.opensearch_started or time.time()
    s3 = _client("s3", target)
    sources = backup_sources(_client("firehose", target))
    plan = []
    for source in sources:
        failed_keys = {o["Key"] for o in _objects(s3, source.bucket, source.failed_folder, until)}
        objects = [o for o in _objects(s3, source.bucket, source.prefix, until)
                   if o["Key"] not in failed_keys and not o["Key"].startswith(SKIPPED_PREFIXES)]
        plan.append((source, objects))
    state.objects_total = sum(len(objects) for _, objects in plan)
    write_state(target.state_dir, state)
    session = requests.Session()
    for source, objects in plan:
        failed = _failed_documents(s3, source, until)
        pending: list[str] = []
        for obj in objects:
            body = s3.get_object(Bucket=source.bucket, Key=obj["Key"])["Body"].read()
            for doc in documents(body):
                if failed[doc.strip()] > 0:
                    failed[doc.strip()] -= 1
                    state.skipped_failed += 1
                    continue
                pending.append(doc)
            if len(pending) >= BULK_DOCUMENTS:
                _bulk(session, target.opensearch_url, source.index, pending)
                state.documents += len(pending)
                state.indexes[source.index] = state.indexes.get(source.index, 0) + len(pending)
                pending = []
            state.objects_done += 1
            write_state(target.state_dir, state)
        if pending:
            _bulk(session, target.opensearch_url, source.index, pending)
            state.documents += len(pending)
            state.indexes[source.index] = state.indexes.get(source.index, 0) + len(pending)
        session.post(f"{target.opensearch_url}/{source.index}/_refresh", timeout=60)
    state.state, state.finished_at = "done", time.time()
    write_state(target.state_dir, state)
    LOG.info(state.summary())
    return state


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="labctl.index_rebuild", description=__doc__.split("\n")[0])
    parser.add_argument("--state-dir", required=True, type=Path)
    parser.add_argument("--localstack-url", required=True)
    parser.add_argument("--opensearch-url", required=True)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    target = Target(args.state_dir, args.localstack_url, args.opensearch_url)
    try:
        rebuild(target)
    except Exception as error:
        state = read_state(target.state_dir) or RebuildState()
        state.state, state.error, state.finished_at = "failed", f"{type(error).__name__}: {error}", time.time()
        write_state(target.state_dir, state)
        raise
    return 0


if __name__ == "__main__":
    sys.exit(main())
