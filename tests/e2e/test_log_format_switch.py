"""A lab switched to the streaming-SQL lab's log format and back, as a facilitator does it
(issue 35, problem 3): `make down`, `LAB_ACCESS_LOG_FORMAT=kinesis make up`, traffic, `make down`,
`make up`, traffic. Each flow ships only the lines written in its own format: the Kinesis stream
gets the JSON lines and none of the workshop's lines before them, the workshop's Firehose gets the
new workshop lines and none of the JSON lines, and `make status` accounts for each flow's lines
from where it began ("all accounted for", never "missing")."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import boto3
import pytest
from labctl import native, runtimes, status
from labctl import settings as lab

from tests.conftest import REPO, free_port
from tests.support.waiting import wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.apache, pytest.mark.localstack, pytest.mark.opensearch,
              pytest.mark.timeout(1800)]     # three starts of the whole lab on a loaded 2-core machine

PORT_KEYS = ("LAB_APACHE_PORT", "LAB_LOCALSTACK_PORT", "LAB_OPENSEARCH_PORT", "LAB_DASHBOARDS_PORT",
             "LAB_KAFKA_PORT", "LAB_KAFKA_CONTROLLER_PORT", "LAB_OPENSEARCH_TRANSPORT_PORT")


def make(env: dict[str, str], target: str, **changes: str) -> subprocess.CompletedProcess:
    done = subprocess.run(["make", "-s", "--no-print-directory", target], cwd=REPO, env={**env, **changes},
                          capture_output=True, text=True, timeout=900, check=False)
    assert done.returncode == 0, f"make {target}: {done.stdout[-3000:]}{done.stderr[-3000:]}"
    return done


def traffic(s: lab.LabSettings, count: int, seed: int) -> None:
    before = native.access_log_lines(s)
    subprocess.run([sys.executable, "-m", "generator", "--url", s.apache_url, "--count", str(count),
                    "--seed", str(seed)], check=True, capture_output=True, cwd=REPO, timeout=300)
    wait_for(lambda: native.access_log_lines(s) >= before + count, 30, 0.2, what="Apache's access log lines")


def all_accounted(s: lab.LabSettings, lines: int) -> status.LabStatus:
    def settled() -> status.LabStatus | None:
        st = status.collect(s, runtimes.NativeRuntime(s))
        return st if st.written == lines and st.accounted == lines else None
    return wait_for(settled, 240, 1.0, what=f"{lines} lines accounted for")


def kinesis_records(s: lab.LabSettings) -> list[bytes]:
    kinesis = boto3.client("kinesis", endpoint_url=s.localstack_url, region_name=lab.REGION,
                           aws_access_key_id="test", aws_secret_access_key="test")
    out = []
    for shard in kinesis.list_shards(StreamName=lab.KINESIS_STREAM)["Shards"]:
        iterator = kinesis.get_shard_iterator(StreamName=lab.KINESIS_STREAM, ShardId=shard["ShardId"],
                                              ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        while iterator:
            page = kinesis.get_records(ShardIterator=iterator, Limit=1000)
            out += [r["Data"] for r in page["Records"]]
            if not page["Records"] and page.get("MillisBehindLatest", 0) == 0:
                break
            iterator = page.get("NextShardIterator")
    return out


def index_count(s: lab.LabSettings) -> int:
    import requests
    requests.post(f"{s.opensearch_url}/{lab.INDEX_NAME}/_refresh", timeout=30)
    return int(requests.get(f"{s.opensearch_url}/{lab.INDEX_NAME}/_count", timeout=30).json()["count"])


def test_each_format_ships_only_its_own_lines_and_is_accounted_from_where_it_began(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("LAB_") or k == "LAB_LOCALSTACK_VENV"}
    env = {**env, "LAB_STATE_DIR": str(tmp_path / "state"), "LAB_RUNTIME": "native", "LAB_BUFFER_INTERVAL": "1",
           "LAB_GEOIP_DATABASE": "off", "MAKEFLAGS": "", **{key: str(free_port()) for key in PORT_KEYS}}
    workshop, streaming = lab.load(env), lab.load({**env, "LAB_ACCESS_LOG_FORMAT": "kinesis"})
    try:
        make(env, "up")
        traffic(workshop, 40, seed=3531)
        first = all_accounted(workshop, 40)
        assert first.counted_from == 0
        make(env, "down")

        make(env, "up", LAB_ACCESS_LOG_FORMAT="kinesis")
        flow = json.loads((streaming.state_dir / "agent" / "agent.json").read_text())["flows"][0]
        assert flow["kinesisStream"] == lab.KINESIS_STREAM and flow["initialPosition"] == "END_OF_FILE"
        traffic(streaming, 25, seed=3532)
        second = all_accounted(streaming, 25)
        assert second.counted_from == 40
        records = kinesis_records(streaming)
        assert len(records) == 25, f"{len(records)} records on {lab.KINESIS_STREAM}: the old format replayed?"
        assert all(json.loads(r)["http_method"] for r in records)
        text = make(env, "status", LAB_ACCESS_LOG_FORMAT="kinesis").stdout
        assert "Accounted: 25 of 25 lines (all accounted for)" in text, text
        assert "counted from access_log line 41" in text, text
        make(env, "down", LAB_ACCESS_LOG_FORMAT="kinesis")

        make(env, "up")
        traffic(workshop, 10, seed=3533)
        third = all_accounted(workshop, 10)
        assert third.counted_from == 65
        assert index_count(workshop) == 50, "the JSON lines went into the workshop's index"
        assert third.s3_records.get("processing_failed", 0) == 0, "the JSON lines reached the ETL"
        assert len(kinesis_records(workshop)) == 25
        text = make(env, "status").stdout
        assert "Accounted: 10 of 10 lines (all accounted for)" in text, text
    finally:
        native.down(workshop)
