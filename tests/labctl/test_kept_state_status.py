"""`make status`'s kept-state lines: the disk use of the state dir, part by part (issue 21)."""
from __future__ import annotations

import pytest
from labctl import durability_status, settings

pytestmark = pytest.mark.unit


def test_status_shows_disk_use_per_part(tmp_path):
    s = settings.load({"LAB_STATE_DIR": str(tmp_path)})
    (tmp_path / "localstack" / "lab-s3" / "objects" / "b").mkdir(parents=True)
    (tmp_path / "localstack" / "lab-s3" / "objects" / "b" / "f").write_bytes(b"x" * 100_000)
    (tmp_path / "opensearch" / "data" / "nodes").mkdir(parents=True)
    (tmp_path / "opensearch" / "data" / "nodes" / "segment").write_bytes(b"y" * 300_000)
    text = "\n".join(durability_status.render(durability_status.collect(s)))
    assert "S3 " in text and "OpenSearch " in text and "KB" in text
    parts = durability_status.collect(s)["parts"]
    assert parts["S3"] >= 100_000 and parts["OpenSearch"] >= 300_000
