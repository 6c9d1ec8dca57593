"""`dbutils.fs.mount` against LocalStack's S3: what it maps (read in place, nothing copied), and its errors."""
from __future__ import annotations

import sys
import uuid
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "services" / "notebooks"))

from notebook_runner.dbfs import DBFS, MountError
from notebook_runner.dbutils import DBUtils

pytestmark = pytest.mark.localstack


@pytest.fixture()
def bucket(localstack) -> str:
    name = f"mount-{uuid.uuid4().hex[:8]}"
    s3 = localstack.client("s3")
    s3.create_bucket(Bucket=name)
    for key, body in {"topics/t/year=2015/t+0+0000000000.json": b'{"message": "a"}\n',
                      "topics/t/year=2015/t+0+0000000000.keys.json": b'"k"\n', "other/x.txt": b"x"}.items():
        s3.put_object(Bucket=name, Key=key, Body=body)
    return name


def test_mount_maps_the_prefix_in_place_and_ls_lists_it(localstack, bucket, tmp_path):
    dbfs = DBFS(tmp_path, lambda: localstack.client("s3"), declared={"/mnt/lab": f"s3://{bucket}/topics"})
    dbutils = DBUtils(dbfs, {})
    # the notebook's own source (with keys, as on Databricks) gives way to --mount's
    assert dbutils.fs.mount("s3a://AKIA:SECRET@cloudwatch-kafka-lab", "/mnt/lab")
    assert [m.mountPoint for m in dbutils.fs.mounts()] == ["/mnt/lab"]
    assert dbfs.spark_path("/mnt/lab/t/year=2015/") == f"s3a://{bucket}/topics/t/year=2015/"
    assert [f.name for f in dbutils.fs.ls("/mnt/lab")] == ["t/"]
    listed = dbutils.fs.ls("dbfs:/mnt/lab/t/year=2015")
    assert [(f.name, f.size) for f in listed] == [("t+0+0000000000.json", 17), ("t+0+0000000000.keys.json", 4)]
    assert listed[0].path == "dbfs:/mnt/lab/t/year=2015/t+0+0000000000.json"
    assert dbutils.fs.head("/mnt/lab/t/year=2015/t+0+0000000000.json") == '{"message": "a"}\n'
    assert not any(tmp_path.rglob("*")), "a mount copies nothing to local disk"
    with pytest.raises(MountError, match="Directory already mounted: /mnt/lab"):
        dbutils.fs.mount(f"s3://{bucket}", "/mnt/lab")
    assert dbutils.fs.unmount("/mnt/lab") and not (tmp_path / "mnt" / "lab").exists()
    with pytest.raises(MountError, match="Directory not mounted: /mnt/lab"):
        dbutils.fs.unmount("/mnt/lab")


def test_mount_of_a_missing_bucket_names_it(localstack, tmp_path):
    dbutils = DBUtils(DBFS(tmp_path, lambda: localstack.client("s3")), {})
    with pytest.raises(MountError, match="cannot mount s3://no-such-bucket-x/"):
        dbutils.fs.mount("s3a://no-such-bucket-x", "/mnt/x")
    with pytest.raises(MountError, match="mount point must be /mnt/<name>"):
        dbutils.fs.mount("s3a://b", "/data/x")
    assert dbutils.fs.mounts() == []


def test_widgets_take_the_given_value_over_the_default(tmp_path):
    widgets = DBUtils(DBFS(tmp_path, None), {"bucket": "given"}).widgets
    widgets.text("bucket", "default")
    widgets.text("mount_name", "cloudwatch-kafka-lab")
    assert (widgets.get("bucket"), widgets.get("mount_name")) == ("given", "cloudwatch-kafka-lab")
    with pytest.raises(ValueError, match="No input widget named nope"):
        widgets.get("nope")
