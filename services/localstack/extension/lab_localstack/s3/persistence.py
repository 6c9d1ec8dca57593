"""S3's metadata on disk: buckets (with their configuration and tags) and object versions
(with their metadata and tags), as a journal of records replayed at start-up.

LocalStack's S3 provider keeps its metadata in `s3_stores` (buckets, each with its
`objects` key store; tags in the regional store's `tags`). After every operation that
changes something, the lab's provider (provider.py) calls `after()`, which appends to the
journal the *current* state of what the request named, and fsyncs, before the response
goes out:

- ("bucket", name, account, region, attributes, versioned, tags): the bucket and all its
  configuration (versioning, notifications, policy, lifecycle, CORS, encryption, ...)
  except its objects and in-progress multipart uploads; written after CreateBucket and
  every bucket-level Put/Delete;
- ("key", bucket, key, versions, tags): every version of one key (S3Object and
  S3DeleteMarker, each object naming its data file) and their tags; written after
  PutObject, CopyObject, DeleteObject(s), CompleteMultipartUpload, Put/DeleteObjectTagging,
  PutObjectAcl/Retention/LegalHold, RestoreObject;
- ("gone", bucket): after DeleteBucket.

At start-up `restore()` replays the records into `s3_stores`, drops versions whose data
file is missing, rewrites the journal as one record per bucket and per key (compaction)
and deletes data files nothing refers to (writes that never answered).
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from pathlib import Path

from localstack.services.s3.models import KeyStore, S3Bucket, S3Store, VersionedKeyStore, s3_stores
from localstack.services.s3.utils import get_unique_key_id

from lab_localstack.s3.disk_store import DATA_ATTRIBUTE, DiskS3ObjectStore
from lab_localstack.s3.journal import Journal

LOG = logging.getLogger(__name__)
NOT_KEPT = {"objects", "multiparts"}   # bucket attributes the bucket record leaves out


def find_bucket(name: str) -> tuple[S3Store, S3Bucket] | None:
    """The bucket named `name` in any account, with its regional store (where its tags are)."""
    for bundle in list(s3_stores.values()):
        for store in list(bundle.values()):
            bucket = store.buckets.get(name)      # buckets are shared by an account's regions
            if bucket is not None:
                return s3_stores[bucket.bucket_account_id][bucket.bucket_region], bucket
            break
    return None


def all_buckets() -> Iterator[tuple[S3Store, S3Bucket]]:
    for bundle in list(s3_stores.values()):
        for store in list(bundle.values())[:1]:
            for bucket in list(store.buckets.values()):
                yield s3_stores[bucket.bucket_account_id][bucket.bucket_region], bucket


def _versions(bucket: S3Bucket, key: str) -> list:
    stored = bucket.objects._store.get(key)
    if isinstance(bucket.objects, VersionedKeyStore):
        return list(dict(stored or {}).values())
    return [stored] if stored is not None else []


def _key_of_tag(tag_id: str) -> str:
    return tag_id.rsplit("/", 1)[0]      # "<bucket>/<key>/<version>" -> "<bucket>/<key>"


def bucket_record(store: S3Store, bucket: S3Bucket) -> tuple:
    attributes = {k: v for k, v in vars(bucket).items() if k not in NOT_KEPT}
    return ("bucket", bucket.name, bucket.bucket_account_id, bucket.bucket_region, attributes,
            isinstance(bucket.objects, VersionedKeyStore), store.tags.get_tags(bucket.bucket_arn))


def key_record(store: S3Store, bucket: S3Bucket, key: str) -> tuple:
    versions = _versions(bucket, key)
    tags = {}
    for version in versions:
        tag_id = get_unique_key_id(bucket.name, key, version.version_id)
        if tag_id in store.tags._tags:
            tags[tag_id] = store.tags.get_tags(tag_id)
    return ("key", bucket.name, key, versions, tags)


def apply(record: tuple) -> None:
    """Replay one record into LocalStack's S3 stores."""
    kind, name = record[0], record[1]
    if kind == "bucket":
        _, _, account, region, attributes, versioned, tags = record
        store = s3_stores[account][region]
        old = store.buckets.get(name)
        bucket = S3Bucket.__new__(S3Bucket)
        bucket.__dict__.update(attributes)
        objects = old.objects if old is not None else (VersionedKeyStore() if versioned else KeyStore())
        if versioned and isinstance(objects, KeyStore):
            objects = VersionedKeyStore.from_key_store(objects)
        bucket.objects, bucket.multiparts = objects, {}
        store.buckets[name] = bucket
        store.global_bucket_map[name] = account
        store.tags.delete_all_tags(bucket.bucket_arn)
        if tags:
            store.tags.update_tags(bucket.bucket_arn, tags)
        return
    found = find_bucket(name)
    if found is None:
        return
    store, bucket = found
    if kind == "gone":
        store.buckets.pop(name, None)
        store.global_bucket_map.pop(name, None)
        for tag_id in [t for t in store.tags._tags if t == bucket.bucket_arn or t.startswith(name + "/")]:
            store.tags.delete_all_tags(tag_id)
    elif kind == "key":
        _, _, key, versions, tags = record
        if not versions:
            bucket.objects._store.pop(key, None)
        elif isinstance(bucket.objects, VersionedKeyStore):
            bucket.objects._store[key] = {v.version_id: v for v in versions}
        else:
            bucket.objects._store[key] = versions[-1]
        for tag_id in [t for t in store.tags._tags if _key_of_tag(t) == f"{name}/{key}"]:
            store.tags.delete_all_tags(tag_id)
        for tag_id, values in tags.items():
            store.tags.update_tags(tag_id, values)


def request_keys(operation: str, request: dict) -> list[str] | None:
    """The object keys a request changed; None for a bucket-level request."""
    if request.get("Key"):
        return [request["Key"]]
    if operation == "DeleteObjects":
        return [item["Key"] for item in (request.get("Delete") or {}).get("Objects", [])]
    return None


class S3Persistence:
    """The journal, the data files and which data files each key's versions use."""

    def __init__(self, root: Path):
        self.root = root
        self.journal = Journal(root / "metadata.journal")
        self.store = DiskS3ObjectStore(root, self.is_referenced)
        self._lock = threading.Lock()
        self._files: dict[str, dict[str, set[str]]] = {}     # bucket -> key -> data file names
        self._referenced: set[tuple[str, str]] = set()       # (bucket, data file name)

    def is_referenced(self, bucket: str, name: str) -> bool:
        return (bucket, name) in self._referenced

    # --- start-up --------------------------------------------------------------------
    def restore(self) -> tuple[int, int]:
        """Replay the journal, compact it, delete unreferenced data files.
        Returns (buckets, object versions) restored."""
        replayed = 0
        for record in self.journal.read():
            apply(record)
            replayed += 1
        records = list(self._snapshot())
        self.journal.rewrite(records)
        self._sweep()
        buckets = sum(1 for r in records if r[0] == "bucket")
        versions = sum(len(r[3]) for r in records if r[0] == "key")
        LOG.info("lab S3: %d journal records replayed; %d buckets and %d object versions restored from %s",
                 replayed, buckets, versions, self.root)
        return buckets, versions

    def _snapshot(self) -> Iterator[tuple]:
        for store, bucket in all_buckets():
            yield bucket_record(store, bucket)
            for key in list(bucket.objects._store):
                self._drop_missing(bucket, key)
                record = key_record(store, bucket, key)
                if record[3]:
                    self._track(record)
                    yield record

    def _drop_missing(self, bucket: S3Bucket, key: str) -> None:
        """A version whose data file is missing cannot be served: it goes (and is logged)."""
        for version in _versions(bucket, key):
            path = self.store.data_path(bucket.name, version)
            if hasattr(version, DATA_ATTRIBUTE) and (path is None or not path.exists()):
                LOG.warning("lab S3: s3://%s/%s (version %s) has no data file; dropped",
                            bucket.name, key, version.version_id)
                if isinstance(bucket.objects, VersionedKeyStore):
                    bucket.objects.pop(key, version.version_id)
                else:
                    bucket.objects.pop(key)

    def _sweep(self) -> None:
        objects_dir = self.store.objects_dir
        for bucket_dir in objects_dir.iterdir() if objects_dir.exists() else []:
            if find_bucket(bucket_dir.name) is None:
                self.store.delete_bucket(bucket_dir.name)
                continue
            for path in bucket_dir.iterdir():
                if not self.is_referenced(bucket_dir.name, path.name):
                    path.unlink(missing_ok=True)

    # --- after each change -------------------------------------------------------------
    def after(self, operation: str, request: dict) -> None:
        """Journal what a successful request changed (on disk when this returns)."""
        name = request.get("Bucket")
        if not name:
            return
        with self._lock:
            found = find_bucket(name)
            if found is None:
                records = [("gone", name)]
            else:
                store, bucket = found
                keys = request_keys(operation, request)
                if keys is None and operation == "PostObject":     # the key is in the form
                    keys = list(bucket.objects._store)
                records = ([bucket_record(store, bucket)] if keys is None
                           else [key_record(store, bucket, key) for key in dict.fromkeys(keys)])
            self.journal.append(records)
            stale = [item for record in records for item in self._track(record)]
        for bucket_name, file_name in stale:
            (self.store.bucket_dir(bucket_name) / file_name).unlink(missing_ok=True)

    def _track(self, record: tuple) -> list[tuple[str, str]]:
        """Note the data files a record refers to; return those no longer referred to."""
        kind, name = record[0], record[1]
        if kind == "gone":
            dropped = [(name, f) for files in self._files.pop(name, {}).values() for f in files]
            self._referenced.difference_update(dropped)
            return dropped
        if kind != "key":
            return []
        key, versions = record[2], record[3]
        new = {getattr(v, DATA_ATTRIBUTE) for v in versions if getattr(v, DATA_ATTRIBUTE, None)}
        keys = self._files.setdefault(name, {})
        old = keys.pop(key, set())
        if new:
            keys[key] = new
        self._referenced.difference_update((name, f) for f in old - new)
        self._referenced.update((name, f) for f in new)
        return [(name, f) for f in old - new]

    def reset(self) -> None:
        with self._lock:
            self._files.clear()
            self._referenced.clear()
            self.journal.rewrite([])
            self.store.reset()
