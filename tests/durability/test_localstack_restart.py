"""S3 through a SIGKILL of LocalStack (issue 21).

One native LocalStack on its own state directory: what boto3 was told was stored is read
back, byte for byte and with its metadata, versions, configuration and tags, after
LocalStack is killed with SIGKILL, and no PutObject that answered is missing when
LocalStack is killed in the middle of a burst of them. Kinesis, Lambda and Kinesis
Analytics are checked on the native lab (test_native_lab_restart.py), after `make down`
and after a SIGKILL of every process.
"""
from __future__ import annotations

import hashlib
import os
import signal

import pytest

from tests.conftest import LocalStackInstance
from tests.support.waiting import wait_for

pytestmark = [pytest.mark.localstack]

BUCKET = "durable-bucket"
VERSIONED = "durable-versioned"


@pytest.fixture(scope="module")
def restartable(tmp_path_factory):
    """Its own LocalStack, to be killed and restarted (start() names `make localstack-venv`
    when LocalStack's venv is missing)."""
    base = tmp_path_factory.mktemp("durable-localstack")
    inst = LocalStackInstance(base / "volume", base / "localstack.log")
    inst.start()
    yield inst
    if inst.proc is not None:
        crash(inst)      # LocalStack takes ~20 s to stop once kinesis-mock runs; nothing to keep here


def crash(inst: LocalStackInstance) -> None:
    """SIGKILL LocalStack's whole process group (kinesis-mock and Lambda runtimes too)."""
    os.killpg(inst.proc.pid, signal.SIGKILL)
    inst.proc.wait(timeout=10)
    inst.proc = None



def _objects(s3, bucket: str) -> dict[str, bytes]:
    keys = [o["Key"] for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket)
            for o in page.get("Contents", [])]
    return {k: s3.get_object(Bucket=bucket, Key=k)["Body"].read() for k in keys}


def test_s3_objects_buckets_and_configuration_survive_sigkill(restartable):
    s3 = restartable.client("s3")
    s3.create_bucket(Bucket=BUCKET)
    s3.put_bucket_tagging(Bucket=BUCKET, Tagging={"TagSet": [{"Key": "team", "Value": "lab"}]})
    s3.put_bucket_cors(Bucket=BUCKET, CORSConfiguration={"CORSRules": [
        {"AllowedMethods": ["GET"], "AllowedOrigins": ["*"]}]})
    written: dict[str, bytes] = {}
    for i in range(40):
        body = os.urandom(i * 997)
        s3.put_object(Bucket=BUCKET, Key=f"data/{i:03d}.bin", Body=body,
                      Metadata={"n": str(i)}, ContentType="application/x-lab")
        written[f"data/{i:03d}.bin"] = body
    s3.put_object(Bucket=BUCKET, Key="data/000.bin", Body=b"overwritten")    # overwrite in place
    written["data/000.bin"] = b"overwritten"
    s3.delete_object(Bucket=BUCKET, Key="data/001.bin")
    del written["data/001.bin"]
    s3.delete_objects(Bucket=BUCKET, Delete={"Objects": [{"Key": "data/002.bin"}, {"Key": "data/003.bin"}]})
    del written["data/002.bin"], written["data/003.bin"]
    s3.copy_object(Bucket=BUCKET, Key="copy/004.bin", CopySource={"Bucket": BUCKET, "Key": "data/004.bin"})
    written["copy/004.bin"] = written["data/004.bin"]
    s3.put_object_tagging(Bucket=BUCKET, Key="data/005.bin", Tagging={"TagSet": [{"Key": "k", "Value": "v"}]})
    # a multipart upload of 2 parts (5 MiB minimum for all but the last)
    parts = [os.urandom(5 * 1024 * 1024), os.urandom(1234)]
    upload = s3.create_multipart_upload(Bucket=BUCKET, Key="big/multipart.bin")
    etags = [s3.upload_part(Bucket=BUCKET, Key="big/multipart.bin", UploadId=upload["UploadId"],
                            PartNumber=n + 1, Body=body)["ETag"] for n, body in enumerate(parts)]
    s3.complete_multipart_upload(Bucket=BUCKET, Key="big/multipart.bin", UploadId=upload["UploadId"],
                                 MultipartUpload={"Parts": [{"ETag": e, "PartNumber": n + 1}
                                                            for n, e in enumerate(etags)]})
    written["big/multipart.bin"] = b"".join(parts)
    # a versioned bucket: two versions and a delete marker on one key
    s3.create_bucket(Bucket=VERSIONED)
    s3.put_bucket_versioning(Bucket=VERSIONED, VersioningConfiguration={"Status": "Enabled"})
    v1 = s3.put_object(Bucket=VERSIONED, Key="k", Body=b"one")["VersionId"]
    v2 = s3.put_object(Bucket=VERSIONED, Key="k", Body=b"two")["VersionId"]
    s3.delete_object(Bucket=VERSIONED, Key="k")
    s3.create_bucket(Bucket="durable-deleted")
    s3.delete_bucket(Bucket="durable-deleted")
    heads = {k: s3.head_object(Bucket=BUCKET, Key=k) for k in written}

    crash(restartable)
    restartable.start()
    s3 = restartable.client("s3")

    buckets = {b["Name"] for b in s3.list_buckets()["Buckets"]}
    assert {BUCKET, VERSIONED} <= buckets and "durable-deleted" not in buckets
    assert _objects(s3, BUCKET) == written
    for key, before in heads.items():
        after = s3.head_object(Bucket=BUCKET, Key=key)
        for field in ("ETag", "ContentLength", "ContentType", "Metadata", "LastModified"):
            assert after[field] == before[field], (key, field)
    big = s3.get_object(Bucket=BUCKET, Key="big/multipart.bin", Range="bytes=5242870-5242889")["Body"].read()
    assert big == written["big/multipart.bin"][5242870:5242890]
    assert s3.get_bucket_tagging(Bucket=BUCKET)["TagSet"] == [{"Key": "team", "Value": "lab"}]
    assert s3.get_bucket_cors(Bucket=BUCKET)["CORSRules"][0]["AllowedMethods"] == ["GET"]
    assert s3.get_object_tagging(Bucket=BUCKET, Key="data/005.bin")["TagSet"] == [{"Key": "k", "Value": "v"}]
    assert s3.get_bucket_versioning(Bucket=VERSIONED)["Status"] == "Enabled"
    versions = s3.list_object_versions(Bucket=VERSIONED)
    assert [v["VersionId"] for v in versions["Versions"]] == [v2, v1]
    assert len(versions["DeleteMarkers"]) == 1 and versions["DeleteMarkers"][0]["IsLatest"]
    assert s3.get_object(Bucket=VERSIONED, Key="k", VersionId=v1)["Body"].read() == b"one"
    # still writable, and the restored state keeps changing correctly
    s3.put_object(Bucket=BUCKET, Key="after-restart", Body=b"x")
    assert s3.get_object(Bucket=BUCKET, Key="after-restart")["Body"].read() == b"x"


def test_no_acknowledged_object_lost_when_killed_mid_burst(restartable):
    """Writers keep putting while LocalStack is SIGKILLed: every PutObject that answered
    is there afterwards with its bytes."""
    import threading

    from botocore.config import Config

    s3 = restartable.client("s3")
    s3.create_bucket(Bucket="burst")
    acknowledged: dict[str, str] = {}
    stop = threading.Event()

    def writer(n: int) -> None:
        import boto3
        client = boto3.client("s3", endpoint_url=restartable.url, region_name="us-east-1",
                              config=Config(retries={"max_attempts": 1}))
        i = 0
        while not stop.is_set():
            body = f"{n}-{i}-".encode() * 50
            try:
                client.put_object(Bucket="burst", Key=f"w{n}/{i}", Body=body)
            except Exception:  # noqa: BLE001 (LocalStack is being killed: unacknowledged)
                return
            acknowledged[f"w{n}/{i}"] = hashlib.md5(body).hexdigest()
            i += 1

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    wait_for(lambda: len(acknowledged) >= 200, 60, what="200 objects written")
    crash(restartable)
    stop.set()
    for t in threads:
        t.join(timeout=30)
    restartable.start()
    s3 = restartable.client("s3")
    stored = {k: hashlib.md5(v).hexdigest() for k, v in _objects(s3, "burst").items()}
    missing = {k for k in acknowledged if stored.get(k) != acknowledged[k]}
    assert not missing, f"{len(missing)} of {len(acknowledged)} acknowledged objects missing or wrong"

