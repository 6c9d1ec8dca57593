"""`make athena` (python -m labctl athena) against a LocalStack provisioned like the lab:
it crawls the backup, runs every example query and prints each as a table."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest
from labctl import data_lake, runtimes
from labctl import settings as lab

from tests.glue.lake_data import write_backup

pytestmark = pytest.mark.localstack


def test_make_athena_prints_every_example_query(localstack, tmp_path):
    s3 = localstack.client("s3")
    if lab.BACKUP_BUCKET not in [b["Name"] for b in s3.list_buckets()["Buckets"]]:
        s3.create_bucket(Bucket=lab.BACKUP_BUCKET)
    write_backup(s3, lab.BACKUP_BUCKET, count=500)
    data_lake.ensure_data_lake(localstack.client("glue"), f"arn:aws:iam::000000000000:role/{lab.CRAWLER_ROLE}")
    env = {**os.environ, "LAB_LOCALSTACK_PORT": str(localstack.cfg.port), "LAB_STATE_DIR": str(tmp_path)}
    # as `make up` leaves it: the runtime recorded, the lab's LocalStack answering
    runtimes.record(lab.load(env), runtimes.NativeRuntime(lab.load(env)))
    out = subprocess.run([sys.executable, "-m", "labctl", "athena"], env=env, capture_output=True, text=True,
                         check=False, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    assert f"crawler {lab.CRAWLER_NAME}: last crawl SUCCEEDED" in out.stdout
    for name in data_lake.example_queries():
        assert f"== {name} (SUCCEEDED" in out.stdout
    assert " path " in out.stdout and "| hits" in out.stdout
    one = subprocess.run([sys.executable, "-m", "labctl", "athena", "--no-crawl", "--query", "top_pages"], env=env,
                         capture_output=True, text=True, timeout=300, check=False)
    assert one.returncode == 0 and one.stdout.count("== ") == 1
    bad = subprocess.run([sys.executable, "-m", "labctl", "athena", "--query", "nope"], env=env,
                         capture_output=True, text=True, timeout=60, check=False)
    assert bad.returncode == 2 and "no query named 'nope'" in bad.stderr
