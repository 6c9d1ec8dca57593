"""S3 listings and server-side moves, through boto3 against the lab (AWS_ENDPOINT_URL): sources
are listed here (Glue's exclusions, recurse, bookmarks) and read by Spark in place through s3a;
what Spark writes to a staging prefix is moved (CopyObject, no local copy) under the target
path with Glue's names. Keys are kept relative to the path, so Hive-style `key=value/` folders
stay partitions.

Objects whose path has a part starting with `_` or `.` (Spark's _SUCCESS, hidden files) and
folder markers are not data, as for Glue's crawlers and Athena.
"""
from __future__ import annotations

import fnmatch
import json
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from awsglue.aws_clients import client


def s3():
    return client("s3")


def split(url: str) -> tuple[str, str]:
    if not url.startswith(("s3://", "s3a://", "s3n://")):
        raise ValueError(f"an S3 path is s3://bucket/prefix, got '{url}'")
    bucket, _, key = url.split("://", 1)[1].partition("/")
    return bucket, key


@dataclass(frozen=True)
class S3Object:
    url: str        # the source path it was listed under
    key: str
    relative: str   # its key below that path
    etag: str
    modified: float


def _is_data(relative: str) -> bool:
    return bool(relative) and not relative.endswith("/") and \
        not any(part.startswith(("_", ".")) for part in relative.split("/"))


def list_objects(urls: list[str], recurse: bool = True, exclusions: str | list | None = None) -> list[S3Object]:
    if isinstance(exclusions, str):
        exclusions = json.loads(exclusions) if exclusions.strip().startswith("[") else [exclusions]
    found = []
    for url in urls:
        bucket, prefix = split(url)
        pages = s3().get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        for page in pages:
            for obj in page.get("Contents", []):
                key = obj["Key"]
                relative = key[len(prefix):].lstrip("/") if key != prefix else os.path.basename(key)
                if not recurse and "/" in relative:
                    continue
                if prefix and key != prefix and not prefix.endswith("/") and not key[len(prefix):].startswith("/"):
                    continue   # s3://b/data must not take s3://b/data2/...
                if not _is_data(relative):
                    continue
                if exclusions and any(fnmatch.fnmatch(f"s3://{bucket}/{key}", g) or fnmatch.fnmatch(key, g)
                                      for g in exclusions):
                    continue
                found.append(S3Object(url, key, relative, obj.get("ETag", ""), obj["LastModified"].timestamp()))
    return found


def move(bucket: str, keys: dict[str, str], url: str) -> list[str]:
    """Copy objects of `bucket` (key -> relative name) under `url`, server-side; returns the keys written."""
    target_bucket, prefix = split(url)
    prefix = prefix if not prefix or prefix.endswith("/") else prefix + "/"

    def copy(item: tuple[str, str]) -> str:
        key, relative = item
        s3().copy_object(Bucket=target_bucket, Key=prefix + relative, CopySource={"Bucket": bucket, "Key": key})
        return prefix + relative

    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(copy, keys.items()))


def delete_prefix(url: str) -> None:
    """Remove every object under `url` (a staging prefix)."""
    bucket, prefix = split(url)
    keys = [o["Key"] for page in s3().get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
            for o in page.get("Contents", [])]
    for i in range(0, len(keys), 1000):
        s3().delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in keys[i:i + 1000]]})


def delete_except(url: str, marker: str, keep: set[str]) -> None:
    """Remove the objects under `url` whose name holds `marker` and that are not in `keep`
    (what an earlier attempt of the same streaming batch left)."""
    bucket, prefix = split(url)
    stale = []
    for page in s3().get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        stale += [o["Key"] for o in page.get("Contents", [])
                  if marker in o["Key"].rsplit("/", 1)[-1] and o["Key"] not in keep]
    for i in range(0, len(stale), 1000):
        s3().delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in stale[i:i + 1000]]})
