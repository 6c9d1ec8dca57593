"""The S3 side of a table: listing a location as Hive/Athena do (recursively, skipping
hidden `_`/`.` files and folder markers) and a local copy of each object, cached by
ETag, named so the engine knows GZIP from the bytes (Firehose's objects may have no
extension)."""
from __future__ import annotations

import bisect
import hashlib
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path

from lab_localstack.data_keys import is_data_key, split_uri

GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True)
class S3Object:
    bucket: str
    key: str
    size: int
    etag: str


def _as_folder(uri: str) -> tuple[str, str]:
    bucket, prefix = split_uri(uri)
    return bucket, prefix if not prefix or prefix.endswith("/") else prefix + "/"


def _list_prefix(s3, bucket: str, prefix: str) -> list[S3Object]:
    """Every object under a prefix, hidden ones included, sorted by key."""
    out = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        out += [S3Object(bucket, item["Key"], item["Size"], item.get("ETag", "").strip('"'))
                for item in page.get("Contents", [])]
    return sorted(out, key=lambda o: o.key)


def _under(objects: list[S3Object], keys: list[str], prefix: str) -> list[S3Object]:
    """The data objects (of a key-sorted listing) under one folder prefix."""
    start = bisect.bisect_left(keys, prefix)
    end = start
    while end < len(keys) and keys[end].startswith(prefix):
        end += 1
    return [o for o in objects[start:end] if is_data_key(o.key, prefix)]


def list_location(s3, uri: str) -> list[S3Object]:
    """Every data object under a location (as a directory: a trailing / is implied)."""
    bucket, prefix = _as_folder(uri)
    objects = _list_prefix(s3, bucket, prefix)
    return _under(objects, [o.key for o in objects], prefix)


def list_locations(s3, root: str | None, uris: list[str]) -> list[list[S3Object]]:
    """The data objects of each location: the partitions whose keys start with the table's
    location come from one listing of it (not one listing per partition), the others are
    listed alone. The location is taken as a key prefix here, not a folder: a crawled
    Firehose backup's table is at `apache_` and its partitions at `apache_2026/11/03/04/`."""
    listed: list[list[S3Object] | None] = [None] * len(uris)
    try:
        root_bucket, root_prefix = split_uri(root) if root else ("", "")
    except ValueError:
        root = None
    if root and root_prefix and len(uris) > 1:   # never a whole bucket's listing
        inside = [i for i, uri in enumerate(uris)
                  if _as_folder(uri)[0] == root_bucket and _as_folder(uri)[1].startswith(root_prefix)]
        if len(inside) > 1:
            objects = _list_prefix(s3, root_bucket, root_prefix)
            keys = [o.key for o in objects]
            for i in inside:
                listed[i] = _under(objects, keys, _as_folder(uris[i])[1])
    return [found if found is not None else list_location(s3, uri) for found, uri in zip(listed, uris)]


class ObjectCache:
    """Local copies of S3 objects, one file per (bucket, key, ETag)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._lock = threading.Lock()

    def local_path(self, s3, obj: S3Object) -> Path:
        digest = hashlib.sha256(f"{obj.bucket}/{obj.key}/{obj.etag}".encode()).hexdigest()[:32]
        for suffix in ("", ".gz"):
            cached = self.root / f"{digest}{suffix}"
            if cached.exists():
                return cached
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self.root / f"{digest}.part-{threading.get_ident()}"
        body = s3.get_object(Bucket=obj.bucket, Key=obj.key)["Body"]
        with open(tmp, "wb") as fh:
            shutil.copyfileobj(body, fh, 1024 * 1024)
        with open(tmp, "rb") as fh:
            gz = fh.read(2) == GZIP_MAGIC
        final = self.root / f"{digest}{'.gz' if gz else ''}"
        with self._lock:
            tmp.replace(final)
        return final
