"""End to end through the compose lab: real OpenSearch, real Dashboards, LocalStack
4.14.0 with the lab's extension, in Docker.

Runs only where a Docker engine answers (tests/conftest.py skips `docker` tests
otherwise) and needs the Compose v2 plugin (`up --wait`). It brings the whole lab
up under its own project name and free ports, so it does not touch a lab you
are running, sends 500 requests through the shop, and waits until every one of
them is accounted for: a document in the `apache` index or a record in S3
`processing-failed/`. Then `down -v`.
"""
from __future__ import annotations

import subprocess
import sys
import time

import boto3
import pytest
import requests

from tests.compose import compose_checks as cc
from tests.conftest import free_port

pytestmark = [pytest.mark.docker, pytest.mark.slow]

COUNT = 500
UP_TIMEOUT_S = 1200        # first run builds four images and pulls three
DELIVERY_DEADLINE_S = 300  # with a 5 s buffer interval
PROJECT = "clickstream-lab-e2e"


def _compose_env(ports: dict[str, int]) -> dict[str, str]:
    env = cc.clean_environment({
        "COMPOSE_PROJECT_NAME": PROJECT,
        "LAB_BIND_ADDRESS": "127.0.0.1",
        "LAB_APACHE_PORT": str(ports["apache"]),
        "LAB_LOCALSTACK_PORT": str(ports["localstack"]),
        "LAB_OPENSEARCH_PORT": str(ports["opensearch"]),
        "LAB_DASHBOARDS_PORT": str(ports["dashboards"]),
        "LAB_BUFFER_INTERVAL": "5",
    })
    return env


def _compose(env: dict[str, str], *args: str, timeout: float = 600, check: bool = True):
    """`docker compose ARGS` in the repository. Not `--profile generator` for `up`:
    that would start the generator with its default arguments."""
    cmd = ["docker", "compose", *args]
    run = subprocess.run(cmd, cwd=cc.REPO, env=env, capture_output=True, text=True,
                         timeout=timeout, check=False)
    if check and run.returncode != 0:
        logs = subprocess.run(["docker", "compose", "logs", "--no-color", "--tail", "200"],
                              cwd=cc.REPO, env=env, capture_output=True, text=True, timeout=120,
                              check=False)
        pytest.fail(f"{' '.join(cmd)} exited {run.returncode}\n{run.stderr[-4000:]}\n"
                    f"--- service logs ---\n{logs.stdout[-12000:]}")
    return run


def _index_count(opensearch_url: str) -> int:
    r = requests.get(f"{opensearch_url}/apache/_count", timeout=10)
    if r.status_code == 404:
        return 0
    r.raise_for_status()
    return r.json()["count"]


def _processing_failed_records(localstack_url: str, bucket: str) -> int:
    s3 = boto3.client("s3", endpoint_url=localstack_url, region_name="us-east-1",
                      aws_access_key_id="test", aws_secret_access_key="test")
    total = 0
    try:
        pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket)
        for page in pages:
            for obj in page.get("Contents", []):
                if "processing-failed/" in obj["Key"]:
                    body = s3.get_object(Bucket=bucket, Key=obj["Key"])["Body"].read()
                    total += sum(1 for line in body.splitlines() if line.strip())
    except s3.exceptions.NoSuchBucket:
        return 0
    return total


@pytest.fixture(scope="module")
def compose_lab():
    probe = subprocess.run(["docker", "compose", "version"], capture_output=True, check=False)
    if probe.returncode != 0:
        pytest.fail("a Docker engine answers but the Compose v2 plugin (`docker compose`) is missing")
    zip_path = cc.REPO / "build" / "apache_ETL.zip"
    if not zip_path.is_file():  # what `make lambda` does
        subprocess.run([sys.executable, "-m", "etl.package", "--output", str(zip_path)],
                       cwd=cc.REPO, check=True)
    ports = {name: free_port() for name in ("apache", "localstack", "opensearch", "dashboards")}
    env = _compose_env(ports)
    try:
        _compose(env, "up", "-d", "--build", "--wait", "--wait-timeout", str(UP_TIMEOUT_S),
                 timeout=UP_TIMEOUT_S + 120)
        yield {"env": env,
               "opensearch": f"http://127.0.0.1:{ports['opensearch']}",
               "localstack": f"http://127.0.0.1:{ports['localstack']}",
               "dashboards": f"http://127.0.0.1:{ports['dashboards']}",
               "apache": f"http://127.0.0.1:{ports['apache']}"}
    finally:
        _compose(env, "--profile", "generator", "down", "-v", "--remove-orphans",
                 timeout=300, check=False)


def test_every_service_is_up_and_on_loopback(compose_lab):
    assert requests.get(compose_lab["apache"] + "/", timeout=10).status_code == 200
    assert requests.get(compose_lab["opensearch"] + "/_cluster/health", timeout=10).ok
    assert requests.get(compose_lab["dashboards"] + "/api/status", timeout=10).ok
    health = requests.get(compose_lab["localstack"] + "/_localstack/health", timeout=10).json()
    assert health["services"]["firehose"] in ("available", "running")
    for service, port in (("apache", 80), ("localstack", 4566), ("opensearch", 9200),
                          ("dashboards", 5601)):
        published = _compose(compose_lab["env"], "port", service, str(port)).stdout.strip()
        assert published.startswith("127.0.0.1:"), (service, published)


def test_500_requests_reach_opensearch_or_processing_failed(compose_lab):
    from labctl import settings as lab

    _compose(compose_lab["env"], "--profile", "generator", "run", "--rm", "generator",
             "--url", "http://apache:80",
             "--count", str(COUNT), "--rate", "100", timeout=600)
    deadline = time.monotonic() + DELIVERY_DEADLINE_S
    indexed = failed = 0
    while time.monotonic() < deadline:
        indexed = _index_count(compose_lab["opensearch"])
        failed = _processing_failed_records(compose_lab["localstack"], lab.BACKUP_BUCKET)
        if indexed + failed >= COUNT:
            break
        time.sleep(5)
    assert indexed + failed == COUNT, (
        f"after {DELIVERY_DEADLINE_S}s: {indexed} documents in `apache` + {failed} "
        f"processing-failed records, expected {COUNT}")
    assert indexed > 0

