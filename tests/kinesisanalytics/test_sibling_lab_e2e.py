"""The sibling lab end to end on the native lab: `LAB_ACCESS_LOG_FORMAT=kinesis`, real requests
through Apache (clients named by X-Forwarded-For, as the generator does), the agent's
kinesisStream flow to `web-access-log`, the provisioned application with the lab's SQL, and
per-client counts on `web-access-counts` equal to the requests each client sent."""
from __future__ import annotations

import http.client
import json
from collections import Counter

import boto3
import pytest
from labctl import settings as lab

from tests.kinesisanalytics.conftest import collect
from tests.support.native_lab import NativeLab

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
CLIENTS = {"203.0.113.5": 7, "198.51.100.77": 4, "2001:db8:85a3::8a2e:370:7334": 3}


@pytest.fixture()
def json_lab(tmp_path):
    running = NativeLab.start(tmp_path / "lab", extra_env={"LAB_ACCESS_LOG_FORMAT": "kinesis"})
    yield running.settings
    running.stop()


def _output_rows(s: lab.LabSettings) -> list[dict]:
    kinesis = boto3.client("kinesis", endpoint_url=s.localstack_url, region_name=lab.REGION,
                           aws_access_key_id="test", aws_secret_access_key="test")
    shard = kinesis.list_shards(StreamName=lab.ANALYTICS_OUTPUT_STREAM)["Shards"][0]["ShardId"]
    iterator = kinesis.get_shard_iterator(StreamName=lab.ANALYTICS_OUTPUT_STREAM, ShardId=shard,
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    rows = []
    while iterator:
        response = kinesis.get_records(ShardIterator=iterator)
        rows += [json.loads(r["Data"]) for r in response["Records"]]
        iterator = response.get("NextShardIterator") if response["Records"] else None
    return rows


def test_requests_through_apache_come_out_as_counts_per_client(json_lab):
    s = json_lab
    for client, count in CLIENTS.items():
        for _ in range(count):
            connection = http.client.HTTPConnection(s.host, s.apache_port, timeout=10)
            connection.request("GET", "/", headers={"X-Forwarded-For": client, "User-Agent": "ApacheBench/2.3"})
            connection.getresponse().read()
            connection.close()
    rows = collect(lambda: _output_rows(s), lambda r: sum(x["REQUEST_COUNT"] for x in r) >= sum(CLIENTS.values()),
                   timeout=90, what="per-client counts on web-access-counts")
    got = Counter()
    for row in rows:
        got[row["CLIENT_IP"]] += row["REQUEST_COUNT"]
    assert got == Counter({client[:16]: count for client, count in CLIENTS.items()})
