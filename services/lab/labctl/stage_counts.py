"""What each stage of the lab holds, read from the services themselves: health probes, the
documents of the lab's index, the counters of its delivery streams and its records in S3.

Only what the lab owns is counted (labctl.ownership); `make status` (labctl.status), `make wait`
(labctl.readiness) and the Python API (clickstream_lab) all read through here.
"""
from __future__ import annotations

import logging

import requests
from botocore.exceptions import BotoCoreError, ClientError

from labctl import aws_clients, ownership
from labctl import settings as lab

LOG = logging.getLogger(__name__)

# S3 prefixes and what they hold (services/localstack/extension/README.md, Facts 2), most specific first: the
# failed documents of an OpenSearch destination go under its S3 prefix.
S3_PREFIXES = {
    "opensearch_failed": lab.BACKUP_PREFIX + "AmazonOpenSearchService-failed/",
    "elasticsearch_failed": lab.BACKUP_PREFIX + "elasticsearch-failed/",
    "processing_failed": "processing-failed/",
    "backup": lab.BACKUP_PREFIX,
    "kinesis_archive": lab.KINESIS_ARCHIVE_PREFIX,
}
# The stream whose objects each prefix counts (Firehose puts the stream's name in every object's name).
S3_WRITERS = {name: lab.DELIVERY_STREAM for name in S3_PREFIXES} | {"kinesis_archive": lab.KINESIS_DELIVERY_STREAM}

def _get_json(url: str) -> dict | None:
    try:
        response = requests.get(url, timeout=3)
        return response.json() if response.ok else None
    except (requests.RequestException, ValueError):
        return None


def http_health(url: str) -> str:
    try:
        response = requests.get(url, timeout=3)
        return "up" if response.status_code < 500 else f"error {response.status_code}"
    except requests.RequestException:
        return "down"


def tcp_health(host: str, port: int) -> str:
    """Connect only: an HTTP request to Apache would add a line to the log we count."""
    import socket

    try:
        with socket.create_connection((host, port), timeout=3):
            return "up"
    except OSError:
        return "down"


def index_documents(opensearch_url: str) -> int | None:
    """Documents in the lab's index itself (not `apache*`: an attendee's `apache_me` is not the
    lab's); 0 before its first document, None when OpenSearch does not answer."""
    try:
        response = requests.get(f"{opensearch_url}/{lab.INDEX_NAME}/_count", timeout=3)
    except requests.RequestException:
        return None
    if response.status_code == 404:
        return 0
    try:
        return int(response.json().get("count", 0)) if response.ok else None
    except ValueError:
        return None


def stream_counters(localstack_url: str) -> tuple[dict[str, dict], dict[str, dict]] | None:
    """Counters of the lab's delivery streams and of the others (the lab extension's
    /_lab/firehose/streams), None when LocalStack does not answer."""
    streams = _get_json(f"{localstack_url}/_lab/firehose/streams")
    if not isinstance(streams, dict):
        return None
    every = {item["name"]: item.get("counters", {}) for item in streams.get("streams", [])}
    return ({name: c for name, c in every.items() if ownership.is_lab_stream(name)},
            {name: c for name, c in every.items() if not ownership.is_lab_stream(name)})


def other_indices(opensearch_url: str) -> dict[str, int]:
    """Indices that are not the lab's (nor system ones) and their documents."""
    rows = _get_json(f"{opensearch_url}/_cat/indices?format=json&h=index,docs.count&expand_wildcards=open")
    if not isinstance(rows, list):
        return {}
    return {row["index"]: int(row.get("docs.count") or 0) for row in rows
            if ownership.is_listed_index(row.get("index", ""))}


def prefix_name(key: str) -> str | None:
    """Which of the lab's S3 outputs an object key is: its exact prefix, then the time folders
    and an object its stream wrote (labctl.ownership); None for anything else."""
    return next((name for name, prefix in S3_PREFIXES.items()
                 if ownership.owned_by(key, prefix, S3_WRITERS[name])), None)


def s3_counts(localstack_url: str) -> tuple[dict[str, int], dict[str, int]]:
    """Objects and records (non-empty lines) under each of the lab's prefixes of the backup bucket."""
    objects, records, _others = s3_scan(localstack_url)
    return objects, records


def s3_scan(localstack_url: str) -> tuple[dict[str, int], dict[str, int], dict[str, int]]:
    """`s3_counts`, and the objects other delivery streams wrote into the bucket (by stream)."""
    s3 = aws_clients.client("s3", localstack_url)
    records = {name: 0 for name in S3_PREFIXES}
    objects = {name: 0 for name in S3_PREFIXES}
    others: dict[str, int] = {}
    try:
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=lab.BACKUP_BUCKET):
            for obj in page.get("Contents", []):
                name = prefix_name(obj["Key"])
                if name is None:
                    writer = ownership.firehose_writer(obj["Key"])
                    if writer is not None and not ownership.is_lab_stream(writer):
                        others[writer] = others.get(writer, 0) + 1
                    continue
                body = s3.get_object(Bucket=lab.BACKUP_BUCKET, Key=obj["Key"])["Body"].read()
                if obj["Key"].endswith(".gz") or body[:2] == b"\x1f\x8b":
                    import gzip
                    body = gzip.decompress(body)
                objects[name] += 1
                records[name] += sum(1 for line in body.splitlines() if line.strip())
    except (ClientError, BotoCoreError) as err:
        LOG.debug("S3 not readable: %s", err)
    return objects, records, others
