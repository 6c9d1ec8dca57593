"""S3 object data in files: LocalStack's `S3ObjectStore` interface, backed by a directory.

LocalStack 4.14's S3 provider keeps object bytes behind an `S3ObjectStore`
(localstack/services/s3/storage/core.py); its default, `EphemeralS3ObjectStore`, keeps
them in spooled temporary files that die with the process. This store writes each
object version to its own file under `<root>/objects/<bucket>/<name>`, where `<name>` is
fresh for every write and recorded on the `S3Object` (`lab_data`), so

- an overwrite never touches the bytes of the version it replaces (a crash mid-write
  leaves the old version whole, and readers of the old version keep reading it);
- a written object is fsync'd (file and directory) when the provider closes it, which
  happens before PutObject, CopyObject, PostObject or CompleteMultipartUpload answer.

Which data files are still referenced is the metadata journal's business
(`persistence.py`): `remove` deletes a file at once only when no journaled version points
at it; otherwise the journal deletes it after the change that dropped it is on disk.
Multipart parts live under `<root>/uploads/` and are not kept across a restart.
"""
from __future__ import annotations

import base64
import hashlib
import os
import shutil
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from io import BytesIO, UnsupportedOperation
from pathlib import Path
from typing import IO, Literal

from localstack.aws.api.s3 import BucketName
from localstack.services.s3.constants import S3_CHUNK_SIZE
from localstack.services.s3.models import S3Multipart, S3Object, S3Part
from localstack.services.s3.storage.core import (
    LimitedStream,
    S3ObjectStore,
    S3StoredMultipart,
    S3StoredObject,
    should_copy_in_place,
)
from localstack.services.s3.utils import ObjectRange, get_s3_checksum

from lab_localstack.state_files import fsync_dir

DATA_ATTRIBUTE = "lab_data"   # the S3Object attribute naming its data file



class DiskStoredObject(S3StoredObject):
    """One object version's (or one part's) bytes in a file of its own."""

    def __init__(self, s3_object: S3Object | S3Part, path: Path, mode: Literal["r", "w"] = "r",
                 durable: bool = True):
        super().__init__(s3_object=s3_object, mode=mode)
        self.path = path
        self.durable = durable
        self.size = 0
        self._etag: str | None = None
        self._checksum_hash = None
        self._checksum: str | None = None
        self._file: IO[bytes] = open(path, "w+b" if mode == "w" else "rb")  # noqa: SIM115 (closed in close())

    def _writable(self) -> None:
        if self._mode != "w":
            raise UnsupportedOperation("S3 object is not in write mode")

    def read(self, s: int = -1) -> bytes:
        return self._file.read(-1 if s is None else s) or b""

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._file.seek(offset, whence)

    def truncate(self, size: int | None = None) -> int:
        self._writable()
        self.s3_object.internal_last_modified = time.time_ns()
        return self._file.truncate(size)

    def write(self, stream: IO[bytes] | S3StoredObject | LimitedStream | None) -> int:
        """Copy the stream into the file (replacing what it held), computing the MD5 ETag and
        the object's checksum on the way, as LocalStack's ephemeral store does."""
        self._writable()
        stream = BytesIO() if stream is None else stream
        if self.s3_object.checksum_algorithm:
            self._checksum_hash = get_s3_checksum(self.s3_object.checksum_algorithm)
        self._file.seek(0)
        self._file.truncate()
        md5 = hashlib.md5(usedforsecurity=False)
        while data := stream.read(S3_CHUNK_SIZE):
            self._file.write(data)
            md5.update(data)
            if self._checksum_hash:
                self._checksum_hash.update(data)
        self.size = self.s3_object.size = self._file.tell()
        self._etag = self.s3_object.etag = md5.hexdigest()
        self.s3_object.internal_last_modified = time.time_ns()
        self._file.seek(0)
        return self.size

    def append(self, part: S3StoredObject) -> int:
        """Add a part's bytes at the end (CompleteMultipartUpload assembles the object so)."""
        self._writable()
        written = 0
        self._file.seek(0, os.SEEK_END)
        while data := part.read(S3_CHUNK_SIZE):
            self._file.write(data)
            written += len(data)
        self.size += written
        self.s3_object.size = self.size
        self.s3_object.internal_last_modified = time.time_ns()
        return written

    def close(self) -> None:
        if self.closed:
            return
        if self._mode == "w" and self.durable:
            self._file.flush()
            os.fsync(self._file.fileno())
            fsync_dir(self.path.parent)
        self._file.close()
        self.closed = True

    @property
    def last_modified(self) -> int:
        # each write has its own file: what is open is always the version asked for
        return self.s3_object.internal_last_modified

    def _digest_all(self, digest) -> None:
        position = self._file.tell()
        self._file.seek(0)
        while data := self._file.read(S3_CHUNK_SIZE):
            digest.update(data)
        self._file.seek(position)

    @property
    def checksum(self) -> str | None:
        if not self.s3_object.checksum_algorithm:
            return None
        if not self._checksum_hash:
            self._checksum_hash = get_s3_checksum(self.s3_object.checksum_algorithm)
            self._digest_all(self._checksum_hash)
        if not self._checksum:
            self._checksum = base64.b64encode(self._checksum_hash.digest()).decode()
        return self._checksum

    @property
    def etag(self) -> str:
        if not self._etag:
            md5 = hashlib.md5(usedforsecurity=False)
            self._digest_all(md5)
            self._etag = md5.hexdigest()
        return self._etag

    def __iter__(self) -> Iterator[bytes]:
        while data := self.read(S3_CHUNK_SIZE):
            yield data


class DiskStoredMultipart(S3StoredMultipart):
    """The parts of one multipart upload, one file each, in the upload's directory."""

    _s3_store: DiskS3ObjectStore

    def __init__(self, s3_store: DiskS3ObjectStore, bucket: BucketName, s3_multipart: S3Multipart,
                 upload_dir: Path):
        super().__init__(s3_store=s3_store, bucket=bucket, s3_multipart=s3_multipart)
        self.upload_dir = upload_dir

    def open(self, s3_part: S3Part, mode: Literal["r", "w"] = "r") -> DiskStoredObject:
        self.upload_dir.mkdir(parents=True, exist_ok=True)
        return DiskStoredObject(s3_part, self.upload_dir / str(s3_part.part_number), mode, durable=False)

    def remove_part(self, s3_part: S3Part) -> None:
        (self.upload_dir / str(s3_part.part_number)).unlink(missing_ok=True)

    def complete_multipart(self, parts: list[S3Part]) -> None:
        with self._s3_store.open(self.bucket, self.s3_multipart.object, mode="w") as assembled:
            for s3_part in parts:
                with self.open(s3_part, mode="r") as stored_part:
                    assembled.append(stored_part)

    def close(self) -> None:
        shutil.rmtree(self.upload_dir, ignore_errors=True)

    def copy_from_object(self, s3_part: S3Part, src_bucket: BucketName, src_s3_object: S3Object,
                         range_data: ObjectRange | None) -> None:
        with (self._s3_store.open(src_bucket, src_s3_object, mode="r") as source,
              self.open(s3_part, mode="w") as stored_part):
            stored_part.write(source if not range_data else LimitedStream(source, range_data=range_data))
            if s3_part.checksum_algorithm:
                s3_part.checksum_value = stored_part.checksum


class DiskS3ObjectStore(S3ObjectStore):
    """Object data under `<root>/objects/<bucket>/`, multipart parts under `<root>/uploads/`."""

    def __init__(self, root: Path, is_referenced: Callable[[str, str], bool] = lambda _b, _n: False):
        self.root = root
        self.root_directory = str(root)       # LocalStack's state visitor reads this name
        self.objects_dir = root / "objects"
        self.uploads_dir = root / "uploads"
        self.is_referenced = is_referenced    # (bucket, data file name) -> kept by the journal?
        self._multiparts: dict[tuple[str, str], DiskStoredMultipart] = {}
        self._lock = threading.RLock()
        self.objects_dir.mkdir(parents=True, exist_ok=True)
        # parts of uploads begun before a restart: their uploads are gone with the process
        shutil.rmtree(self.uploads_dir, ignore_errors=True)

    def bucket_dir(self, bucket: BucketName) -> Path:
        return self.objects_dir / bucket

    def data_path(self, bucket: BucketName, s3_object: S3Object) -> Path | None:
        name = getattr(s3_object, DATA_ATTRIBUTE, None)
        return self.bucket_dir(bucket) / name if name else None

    def open(self, bucket: BucketName, s3_object: S3Object, mode: Literal["r", "w"] = "r") -> DiskStoredObject:
        if mode == "w":
            directory = self.bucket_dir(bucket)
            if not directory.is_dir():
                directory.mkdir(parents=True, exist_ok=True)
                fsync_dir(self.objects_dir)
            setattr(s3_object, DATA_ATTRIBUTE, uuid.uuid4().hex)
        path = self.data_path(bucket, s3_object)
        if path is None:
            raise FileNotFoundError(f"s3://{bucket}/{s3_object.key}: no data file recorded")
        return DiskStoredObject(s3_object, path, mode)

    def remove(self, bucket: BucketName, s3_object: S3Object | list[S3Object]) -> None:
        for obj in s3_object if isinstance(s3_object, list) else [s3_object]:
            name = getattr(obj, DATA_ATTRIBUTE, None)
            if name and not self.is_referenced(bucket, name):
                (self.bucket_dir(bucket) / name).unlink(missing_ok=True)

    def copy(self, src_bucket: BucketName, src_object: S3Object, dest_bucket: BucketName,
             dest_object: S3Object) -> DiskStoredObject:
        if should_copy_in_place(src_bucket, src_object, dest_bucket, dest_object):
            # a metadata-only copy onto itself: the new S3Object shares the same bytes
            setattr(dest_object, DATA_ATTRIBUTE, getattr(src_object, DATA_ATTRIBUTE, None))
            return self.open(dest_bucket, dest_object, mode="r")
        with self.open(src_bucket, src_object, mode="r") as source:
            dest = self.open(dest_bucket, dest_object, mode="w")
            dest.write(source)
        return dest

    def get_multipart(self, bucket: BucketName, s3_multipart: S3Multipart) -> DiskStoredMultipart:
        with self._lock:
            key = (bucket, s3_multipart.id)
            if key not in self._multiparts:
                self._multiparts[key] = DiskStoredMultipart(
                    self, bucket, s3_multipart, self.uploads_dir / bucket / s3_multipart.id)
            return self._multiparts[key]

    def remove_multipart(self, bucket: BucketName, s3_multipart: S3Multipart) -> None:
        with self._lock:
            multipart = self._multiparts.pop((bucket, s3_multipart.id), None)
        if multipart is not None:
            multipart.close()
        shutil.rmtree(self.uploads_dir / bucket / s3_multipart.id, ignore_errors=True)

    def create_bucket(self, bucket: BucketName) -> None:
        self.bucket_dir(bucket).mkdir(parents=True, exist_ok=True)

    def delete_bucket(self, bucket: BucketName) -> None:
        shutil.rmtree(self.bucket_dir(bucket), ignore_errors=True)
        shutil.rmtree(self.uploads_dir / bucket, ignore_errors=True)

    def reset(self) -> None:
        """LocalStack's state reset: every object goes."""
        with self._lock:
            self._multiparts.clear()
        shutil.rmtree(self.objects_dir, ignore_errors=True)
        shutil.rmtree(self.uploads_dir, ignore_errors=True)
        self.objects_dir.mkdir(parents=True, exist_ok=True)
