"""`make status`'s kept-state lines and the index rebuild's parsing of backup objects (issue 21)."""
from __future__ import annotations

import gzip
import json

import pytest
from labctl import durability_status, index_rebuild, settings

pytestmark = pytest.mark.unit


def test_backup_objects_split_into_their_documents():
    docs = [{"a": 1, "t": "x}{y"}, {"b": [1, {"c": None}]}, {"d": "é\n"}]
    for body in (b"".join(json.dumps(d).encode() for d in docs),             # `}{`-concatenated
                 b"".join(json.dumps(d).encode() + b"\n" for d in docs),     # one a line
                 gzip.compress(b"\n".join(json.dumps(d).encode() for d in docs))):
        assert [json.loads(d) for d in index_rebuild.documents(body)] == docs


def test_status_shows_disk_use_and_the_rebuild(tmp_path):
    s = settings.load({"LAB_STATE_DIR": str(tmp_path)})
    (tmp_path / "localstack" / "lab-s3" / "objects" / "b").mkdir(parents=True)
    (tmp_path / "localstack" / "lab-s3" / "objects" / "b" / "f").write_bytes(b"x" * 100_000)
    index_rebuild.write_state(tmp_path, index_rebuild.RebuildState(
        state="rebuilding", objects_total=40, objects_done=12, documents=6000))
    text = "\n".join(durability_status.render(durability_status.collect(s)))
    assert "S3 " in text and "KB" in text
    assert "rebuilding from the S3 backup: 12 of 40 objects, 6000 documents so far" in text
    assert durability_status.collect(s)["parts"]["S3"] >= 100_000
    index_rebuild.write_state(tmp_path, index_rebuild.RebuildState(
        state="done", objects_total=40, objects_done=40, documents=20000, started_at=10, finished_at=14.5))
    assert "rebuilt from the S3 backup: 20000 documents from 40 objects in 4.5s" in "\n".join(
        durability_status.render(durability_status.collect(s)))
