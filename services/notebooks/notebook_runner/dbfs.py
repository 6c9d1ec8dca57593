"""The notebooks' DBFS: a local folder standing for `dbfs:/`, and S3 mounts read in place.

`dbutils.fs.mount(source, "/mnt/<name>")` checks the bucket (boto3, at the lab's endpoint) and
records the mount: from then on `/mnt/<name>/...` IS `s3a://<bucket>/<prefix>/...`, read and
written by Spark's s3a at the lab's S3 (lab_localstack.spark_conf), as a Databricks mount is:
nothing is copied to local disk. `ls` and `head` on a mount list and read the bucket.

THE ONE PLACE where DBFS paths become Spark paths is `spark_path` (and `localize`, which applies
it to the quoted (and `delta.`-quoted) path literals of a cell's code before the cell runs): a mounted `/mnt/<name>/x`
(also `dbfs:/mnt/...`) becomes its `s3a://` URL; other `dbfs:/x`, `/dbfs/x` (the FUSE view),
`/mnt/x`, `/FileStore/x` become `<root>/x` on local disk.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlparse

LOG = logging.getLogger(__name__)
_LITERAL = re.compile(r"""(?<=['"`])(?:dbfs:/+|/dbfs/|/mnt/|/FileStore/)[^'"`]*""")


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

    def _mount_of(self, path: str) -> tuple[str, str] | None:
        """(mount point, the rest of the path) when `path` lies under a mount (not the FUSE view)."""
        if path.startswith("/dbfs/"):
            return None
        dbfs = self.dbfs_path(path)
        for point in self.mounted:
            if dbfs == point or dbfs.startswith(point + "/"):
                return point, dbfs[len(point):].lstrip("/")
        return None

    def spark_path(self, path: str) -> str:
        """Where Spark reads or writes a DBFS path: the mount's s3a URL, or the local root."""
        found = self._mount_of(path)
        if found:
            point, rest = found
            return self.mounted[point].rstrip("/") + ("/" + rest if rest else "/")
        return str(self.local_path(path)) + ("/" if path.endswith("/") else "")

    def localize(self, code: str) -> str:
        """A cell's code with every quoted DBFS path literal pointing where Spark finds it."""
        return _LITERAL.sub(lambda m: self.spark_path(m.group(0)), code)

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
        try:
            self.s3_client_factory().head_bucket(Bucket=bucket)
        except Exception as error:  # noqa: BLE001 (botocore's ClientError for 404/403, or no endpoint)
            raise MountError(f"cannot mount s3://{bucket}/{prefix}: {error}") from None
        self.mounted[point] = f"s3a://{bucket}/{prefix}"
        LOG.info("mounted s3a://%s/%s at %s (read in place)", bucket, prefix, point)
        return True

    def unmount(self, mount_point: str) -> bool:
        point = self.dbfs_path(mount_point).rstrip("/")
        if point not in self.mounted:
            raise MountError(f"Directory not mounted: {point}")
        del self.mounted[point]
        return True

    def mounts(self) -> list[MountInfo]:
        return [MountInfo(point, source) for point, source in sorted(self.mounted.items())]

    def s3_location(self, path: str) -> tuple[str, str] | None:
        """(bucket, key) of a path under a mount, else None."""
        found = self._mount_of(path)
        if not found:
            return None
        url = urlparse(self.spark_path(path))
        return url.netloc, url.path.lstrip("/")

    def ls(self, path: str) -> list[FileInfo]:
        if self.s3_location(path):
            return self._ls_s3(path)
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

    def _ls_s3(self, path: str) -> list[FileInfo]:
        bucket, key = self.s3_location(path)
        shown = self.dbfs_path(path).rstrip("/")
        prefix = key.rstrip("/") + "/" if key.rstrip("/") else ""
        s3 = self.s3_client_factory()
        out = []
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix, Delimiter="/"):
            for common in page.get("CommonPrefixes", []):
                name = common["Prefix"][len(prefix):]
                out.append(FileInfo(f"dbfs:{shown}/{name}", name, 0, 0))
            for obj in page.get("Contents", []):
                name = obj["Key"][len(prefix):]
                if name:
                    out.append(FileInfo(f"dbfs:{shown}/{name}", name, obj["Size"],
                                        int(obj["LastModified"].timestamp() * 1000)))
        if not out:
            raise FileNotFoundError(f"java.io.FileNotFoundException: File {shown} does not exist.")
        return sorted(out)

    def head(self, path: str, max_bytes: int) -> bytes:
        location = self.s3_location(path)
        if location:
            body = self.s3_client_factory().get_object(Bucket=location[0], Key=location[1],
                                                       Range=f"bytes=0-{max_bytes - 1}")["Body"]
            return body.read()
        with self.local_path(path).open("rb") as handle:
            return handle.read(max_bytes)
