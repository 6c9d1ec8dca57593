"""`make up` with no registry reachable (a network namespace of its own with only loopback up):
with an asset missing from the lab's cache it fails in seconds with one line naming the asset
and the command to run while online; with every asset in the cache it starts, a Kinesis stream
answers, and the cache gains no file (nothing fetched at run time)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from labctl import native
from labctl import settings as lab

from tests.conftest import REPO, free_port

pytestmark = [pytest.mark.e2e, pytest.mark.localstack, pytest.mark.timeout(600)]

PORT_KEYS = ("LAB_APACHE_PORT", "LAB_LOCALSTACK_PORT", "LAB_OPENSEARCH_PORT", "LAB_DASHBOARDS_PORT",
             "LAB_KAFKA_PORT", "LAB_KAFKA_CONTROLLER_PORT")


def offline(command: list[str]) -> list[str]:
    """`command` in a new network namespace: loopback only, no DNS, no route out."""
    return ["unshare", "-n", "sh", "-c", 'ip link set lo up && exec "$@"', "offline", *command]


def lab_env(state_dir: Path, cache_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LAB_") or k == "LAB_LOCALSTACK_VENV"}
    return {**env, "LAB_STATE_DIR": str(state_dir), "LAB_CACHE_DIR": str(cache_dir), "LAB_RUNTIME": "native",
            "LAB_BUFFER_INTERVAL": "1", "MAKEFLAGS": "", **{key: str(free_port()) for key in PORT_KEYS}}


# Kinesis is the lab's own provider: no kinesis-local to fetch on first use (issue 34)
KINESIS_ROUND_TRIP = """
import sys, boto3
k = boto3.client("kinesis", endpoint_url=sys.argv[1], region_name="us-east-1",
                 aws_access_key_id="test", aws_secret_access_key="test")
k.create_stream(StreamName="offline-check", ShardCount=1)
k.get_waiter("stream_exists").wait(StreamName="offline-check", WaiterConfig={"Delay": 0.5})
k.put_record(StreamName="offline-check", Data=b"offline", PartitionKey="k")
shard = k.list_shards(StreamName="offline-check")["Shards"][0]["ShardId"]
it = k.get_shard_iterator(StreamName="offline-check", ShardId=shard,
                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
print("kinesis read back:", [r["Data"] for r in k.get_records(ShardIterator=it)["Records"]])
"""


def files_in(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


def test_offline_with_a_missing_asset_fails_in_seconds_naming_it(tmp_path):
    env = lab_env(tmp_path / "state", tmp_path / "empty-cache")
    started = time.monotonic()
    run = subprocess.run(offline(["make", "-s", "--no-print-directory", "up"]), cwd=REPO, env=env,
                         capture_output=True, text=True, timeout=120, check=False)
    print(f"offline make up with an empty cache failed after {time.monotonic() - started:.1f}s")
    assert run.returncode != 0
    errors = [line for line in run.stderr.splitlines() if line.startswith("error:")]
    assert errors == [(f"error: opensearch is not in the lab's cache ({tmp_path / 'empty-cache'}/maven/opensearch) "
                      "and Maven Central (repo.maven.apache.org) cannot be reached: run `make opensearch` once "
                      "while online")], run.stdout[-2000:] + run.stderr[-2000:]
    assert "[ERROR]" not in run.stdout + run.stderr   # not Maven's page of errors


def test_offline_with_every_asset_cached_starts_and_fetches_nothing(tmp_path):
    cache = tmp_path / "cache"
    shared = lab.cache_root()
    for part in ("maven/opensearch", "opensearch", "geoip"):  # what `make up` uses, from the warm cache
        if (shared / part).exists():
            shutil.copytree(shared / part, cache / part, symlinks=True)
    before = files_in(cache)
    env = lab_env(tmp_path / "state", cache)
    settings = lab.load(env)
    try:
        # in the same namespace: `make up`, then a Kinesis stream used as an attendee would
        run = subprocess.run(offline(["sh", "-c", 'make -s --no-print-directory up && "$0" -c "$1" "$2"',
                                      sys.executable, KINESIS_ROUND_TRIP, settings.localstack_url]),
                             cwd=REPO, env=env, capture_output=True, text=True, timeout=500, check=False)
        assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
        assert "The lab is up" in run.stdout
        assert "kinesis read back: [b'offline']" in run.stdout, run.stdout[-3000:] + run.stderr[-3000:]
    finally:
        native.down(settings)
    assert files_in(cache) == before
