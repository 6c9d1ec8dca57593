"""Streams on disk, under `state_dir("kinesis")` (lab_localstack/state_files.py):

    <account>/<region>/<stream>/stream.json              settings, tags, consumers, shards
    <account>/<region>/<stream>/shards/<shardId>/*.log   the shard's records (shard_log.py)

`stream.json` is replaced atomically (write_atomic) after every change of the stream's
metadata, before the call that made it answers. A deleted stream loses its `stream.json`
first, then its folder; at start a folder without `stream.json` is such a leftover and is
removed. `load_all` brings back every stream with its shards' records (those past the
retention period dropped) into the store.
"""
from __future__ import annotations

import json
import logging
import shutil
import uuid
from pathlib import Path

from lab_localstack.kinesis.models import store_of
from lab_localstack.kinesis.stream import Stream
from lab_localstack.state_files import fsync_dir, state_dir, write_atomic

LOG = logging.getLogger(__name__)
META = "stream.json"


def root() -> Path:
    return state_dir("kinesis")


def stream_folder(account: str, region: str, name: str) -> Path:
    return root() / account / region / name


def save(stream: Stream) -> None:
    write_atomic(stream.folder / META, json.dumps(stream.to_meta(), separators=(",", ":")))


def remove(stream: Stream) -> None:
    """The stream's files gone: metadata first (so a crash leaves a folder `load_all` clears)."""
    for shard in stream.shards.values():
        shard.log.close()
    (stream.folder / META).unlink(missing_ok=True)
    fsync_dir(stream.folder)
    _discard(stream.folder)


def _discard(folder: Path) -> None:
    trash = root() / f".trash-{uuid.uuid4().hex}"
    try:
        folder.rename(trash)
    except OSError:
        trash = folder
    shutil.rmtree(trash, ignore_errors=True)


def load_all() -> int:
    """Every stream on disk into the store; how many."""
    base = root()
    for leftover in base.glob(".trash-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    count = 0
    for folder in sorted(p for p in base.glob("*/*/*") if p.is_dir()):
        meta_file = folder / META
        if not meta_file.exists():
            LOG.info("Kinesis: removing %s (a stream deleted before it was cleared)", folder)
            _discard(folder)
            continue
        try:
            stream = Stream.from_meta(json.loads(meta_file.read_text()), folder)
        except (ValueError, KeyError) as err:
            LOG.error("Kinesis: %s unreadable (%s): stream not loaded", meta_file, err)
            continue
        records = sum(shard.load() for shard in stream.shards.values())
        stream.trim()
        store_of(stream.account, stream.region).streams[stream.name] = stream
        LOG.info("Kinesis: stream %s (%s/%s) loaded with %d records", stream.name, stream.account,
                 stream.region, records)
        count += 1
    return count
