"""What the lab owns, by exact name: its delivery streams, its indices and its S3 objects.

Attendees make their own resources beside the lab's and often name them like the lab's
(a stream `webserver_stream_2`, an index `apache_me`, a backup prefix `apache_me_` whose keys
start with the lab's `apache_`). The lab's accounting, status and recovery read only what is
named here; anything else is someone else's: listed, never counted, never rewritten.

An S3 object is the lab's when Firehose wrote it for one of the lab's streams: Firehose names
every object `<prefix>YYYY/MM/DD/HH/<stream>-<version>-YYYY-MM-DD-HH-MM-SS-<uuid>[.ext]`
(services/localstack/extension/lab_localstack/firehose/s3_keys.py, as AWS does), so the
prefix and the stream name in the object's name identify it exactly.
"""
from __future__ import annotations

import re

from labctl import settings as lab

# The delivery streams the lab provisions (labctl.provision, labctl.streaming_sql) and the lake
# lab's stack makes (services/lake_lab/template.yaml's default DeliveryStreamName).
LAKE_DELIVERY_STREAM = "web_access_log_parquet"
DELIVERY_STREAMS = frozenset({lab.DELIVERY_STREAM, lab.KINESIS_DELIVERY_STREAM, lab.ANALYTICS_ARCHIVE_STREAM,
                              lab.ANALYTICS_INDEX_STREAM, LAKE_DELIVERY_STREAM})
INDICES = frozenset({lab.INDEX_NAME, lab.ANALYTICS_INDEX})

# A Firehose object name: <stream>-<version>-YYYY-MM-DD-HH-MM-SS-<uuid>[.ext]; the lab's sit under time folders.
_OBJECT_NAME = r"(?P<stream>[A-Za-z0-9_.-]+?)-\d+-\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}-[0-9A-Za-z-]+(?:\.\w+)?$"
_FIREHOSE_OBJECT = re.compile(r"(?:\d{4}/\d{2}/\d{2}/\d{2}/)" + _OBJECT_NAME)
_ANY_FIREHOSE_OBJECT = re.compile(r"(?:^|/)" + _OBJECT_NAME)


def is_lab_stream(name: str) -> bool:
    return name in DELIVERY_STREAMS


def is_lab_index(name: str) -> bool:
    return name in INDICES


def is_listed_index(name: str) -> bool:
    """An index worth listing as someone else's: not the lab's, not a system or dashboards one."""
    return not name.startswith(".") and not is_lab_index(name)


def owned_by(key: str, prefix: str, stream: str) -> bool:
    """Whether `key` is an object Firehose wrote for `stream` under exactly `prefix` (plus the
    default time folders): `apache_2026/12/07/00/webserver_stream-1-...` is the lab's,
    `apache_me_2026/...` and `apache_2026/.../webserver_stream_me-1-...` are not."""
    if not key.startswith(prefix):
        return False
    match = _FIREHOSE_OBJECT.fullmatch(key[len(prefix):])
    return bool(match and match.group("stream") == stream)


def firehose_writer(key: str) -> str | None:
    """The delivery stream whose object this is (Firehose's object name), or None."""
    match = _ANY_FIREHOSE_OBJECT.search(key)
    return match.group("stream") if match else None
