"""The notebooks' DBFS: a local folder standing for `dbfs:/`, and S3 mounts copied into it.

Spark here cannot read S3 (no hadoop-aws jar can be had offline), so `dbutils.fs.mount` copies
the bucket's objects (boto3, at the lab's S3 endpoint) into `<root>/mnt/<name>/` when it is
called: a snapshot, as the notebook sees it at mount time; `unmount` deletes the copy.

THE ONE PLACE where DBFS paths become local paths is `local_path` (and `localize`, which applies
it to the quoted path literals of a cell's code before the cell runs): `dbfs:/x`, `/dbfs/x`
(the FUSE view) and `/mnt/x`, `/FileStore/x` (DBFS paths as Spark reads them on Databricks)
all become `<root>/x`.
"""
from __future__ import annotations

import logging
import re
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlparse

LOG = logging.getLogger(__name__)
_LITERAL = re.compile(r"""(?<=['"])(dbfs:/+|/dbfs/|/mnt/|/FileStore/)""")
_DOWNLOAD_THREADS = 8


class MountError(RuntimeError):
    """A mount that cannot be made (already mounted, bad source, bucket missing)."""


class FileInfo(NamedTuple):
    """What `dbutils.fs.ls` returns on Databricks."""
    path: str
    name: str
    size: int
    modificationTime: int


class MountInfo(NamedTuple):
    mountPoint: str
    source: str
    encryptionType: str = ""


def parse_s3_source(source: str) -> tuple[str, str]:
    """`s3://bucket/prefix`, `s3a://KEY:SECRET@bucket/prefix`, `s3n://...` -> (bucket, prefix)."""
    url = urlparse(source)
    if url.scheme not in ("s3", "s3a", "s3n") or not url.hostname:
        raise MountError(f"mount source must be s3://, s3a:// or s3n://<bucket>[/prefix], got {source!r}")
    bucket = url.netloc.rsplit("@", 1)[-1]  # credentials in the URL are not used: the lab's endpoint is
    prefix = url.path.lstrip("/")
    return bucket, prefix + "/" if prefix and not prefix.endswith("/") else prefix


@dataclass
class DBFS:
    root: Path
    s3_client_factory: object  # () -> a boto3 S3 client at the lab's endpoint
    declared: dict[str, str] = field(default_factory=dict)  # mount point -> source (--mount)
    mounted: dict[str, str] = field(default_factory=dict)

    def dbfs_path(self, path: str) -> str:
        """Any spelling of a DBFS path (or its local copy) -> `/x/y` as DBFS names it."""
        root = str(self.root)
        for prefix in ("file:" + root, root, "dbfs:", "/dbfs"):
            if path.startswith(prefix):
                path = path[len(prefix):]
                break
        return "/" + path.lstrip("/")

    def local_path(self, path: str) -> Path:
        return self.root / self.dbfs_path(path).lstrip("/")

    def localize(self, code: str) -> str:
        """A cell's code with every quoted DBFS path literal pointing into the local root."""
        return _LITERAL.sub(lambda m: str(self.root) + "/" + ("" if m.group(1).startswith(("dbfs:", "/dbfs/"))
                                                              else m.group(1).strip("/") + "/"), code)

    def mount(self, source: str, mount_point: str, extra_configs: dict | None = None) -> bool:
        point = self.dbfs_path(mount_point).rstrip("/")
        if not point.startswith("/mnt/") or point.count("/") != 2:
            raise MountError(f"mount point must be /mnt/<name>, got {mount_point!r}")
        if point in self.mounted:
            raise MountError(f"Directory already mounted: {point}")
        if point in self.declared and self.declared[point] != source:
            LOG.info("%s: mounting %s (from --mount) instead of the notebook's %s", point, self.declared[point],
                     source.split("@")[-1])
            source = self.declared[point]
        bucket, prefix = parse_s3_source(source)
        target = self.local_path(point)
        started = time.monotonic()
        count = self._copy(bucket, prefix, target)
        self.mounted[point] = f"s3://{bucket}/{prefix}"
        LOG.info("mounted s3://%s/%s at %s: %d objects copied in %.1f s", bucket, prefix, point, count,
                 time.monotonic() - started)
        return True

    def _copy(self, bucket: str, prefix: str, target: Path) -> int:
        s3 = self.s3_client_factory()
        try:
            s3.head_bucket(Bucket=bucket)
        except Exception as error:  # noqa: BLE001 (botocore's ClientError for 404/403, or no endpoint)
            raise MountError(f"cannot mount s3://{bucket}/{prefix}: {error}") from None
        keys = [obj["Key"] for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
                for obj in page.get("Contents", []) if not obj["Key"].endswith("/")]
        target.mkdir(parents=True, exist_ok=True)

        def fetch(key: str) -> None:
            local = target / key[len(prefix):]
            local.parent.mkdir(parents=True, exist_ok=True)
            s3.download_file(bucket, key, str(local))

        with ThreadPoolExecutor(_DOWNLOAD_THREADS) as pool:
            list(pool.map(fetch, keys))
        return len(keys)

    def unmount(self, mount_point: str) -> bool:
        point = self.dbfs_path(mount_point).rstrip("/")
        if point not in self.mounted:
            raise MountError(f"Directory not mounted: {point}")
        del self.mounted[point]
        shutil.rmtree(self.local_path(point), ignore_errors=True)
        return True

    def mounts(self) -> list[MountInfo]:
        return [MountInfo(point, source) for point, source in sorted(self.mounted.items())]

    def ls(self, path: str) -> list[FileInfo]:
        local = self.local_path(path)
        if not local.exists():
            raise FileNotFoundError(f"java.io.FileNotFoundException: File {self.dbfs_path(path)} does not exist.")
        entries = sorted(local.iterdir()) if local.is_dir() else [local]
        out = []
        for entry in entries:
            stat = entry.stat()
            name = entry.name + ("/" if entry.is_dir() else "")
            out.append(FileInfo("dbfs:" + self.dbfs_path(str(entry)) + ("/" if entry.is_dir() else ""), name,
                                0 if entry.is_dir() else stat.st_size, int(stat.st_mtime * 1000)))
        return out
