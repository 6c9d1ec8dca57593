"""The S3 side of a table: listing a location as Hive/Athena do (recursively, skipping
hidden `_`/`.` files and folder markers) and a local copy of each object, cached by
ETag, named so the engine knows GZIP from the bytes (Firehose's objects may have no
extension)."""
from __future__ import annotations

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


def list_location(s3, uri: str) -> list[S3Object]:
    """Every data object under a location (as a directory: a trailing / is implied)."""
    bucket, prefix = split_uri(uri)
    if prefix and not prefix.endswith("/"):
        prefix += "/"
    out = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            if is_data_key(item["Key"], prefix):
                out.append(S3Object(bucket, item["Key"], item["Size"], item.get("ETag", "").strip('"')))
    return sorted(out, key=lambda o: o.key)


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
