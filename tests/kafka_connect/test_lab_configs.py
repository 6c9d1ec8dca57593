"""The lab's two connector configs, as they are in services/kafka_connect/config, run together:
CloudWatch Logs (group cloudwatchLogsEC2, ap-south-1) -> Kafka -> s3://cloudwatch-kafka-lab,
objects and keys as the workshop's notebooks read them."""
from __future__ import annotations

import json
import time
import uuid

import pytest
from kafka_connect.config import load

from tests.kafka_connect.conftest import CONFIG_DIR
from tests.kafka_connect.test_cloudwatch_source import logs_client, put
from tests.kafka_connect.test_s3_sink import objects
from tests.support.waiting import wait_for

pytestmark = pytest.mark.localstack
GROUP, BUCKET, REGION = "cloudwatchLogsEC2", "cloudwatch-kafka-lab", "ap-south-1"


def test_the_labs_configs_end_to_end(localstack, broker, connectors, tmp_path):
    import boto3

    s3 = boto3.client("s3", endpoint_url=localstack.url, region_name=REGION,
                      aws_access_key_id="test", aws_secret_access_key="test")
    try:
        s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    except s3.exceptions.BucketAlreadyOwnedByYou:
        pass
    logs = logs_client(localstack)
    try:
        logs.create_log_group(logGroupName=GROUP)
    except logs.exceptions.ResourceAlreadyExistsException:
        pass
    stream = "i-" + uuid.uuid4().hex[:17]          # an EC2-shaped instance id, as the agent names it
    logs.create_log_stream(logGroupName=GROUP, logStreamName=stream)
    t0 = int(time.time() * 1000) - 3_600_000
    lines = [f'10.1.{i // 256}.{i % 256} - - [05/Dec/2026:10:00:00 +0000] "GET /item?id={i} HTTP/1.1" 200 '
             f'{100 + i} "-" "Mozilla/5.0 (X11) Chrome/120.0"' for i in range(1200)]
    put(logs, GROUP, stream, lines, t0)

    def run(config_name: str):
        cfg = load(CONFIG_DIR / config_name)
        return connectors(cfg, broker.bootstrap, localstack.url, tmp_path / config_name).start()

    source, sink = run("cloudwatch-logs-source.json"), run("s3-sink.json")
    topic = f"{GROUP}.{stream}"
    folder = f"topics/{topic}/year={time.gmtime(t0 / 1000).tm_year}"
    mine = lambda: {k: v for k, v in objects(s3, BUCKET).items() if k.startswith(folder + "/")}
    wait_for(lambda: len(mine()) == 2, 60, 0.5, "the first 1,000 records in S3 (flush.size)")
    # The other 200 wait for a record 10 s later (rotate.interval.ms, record time).
    put(logs, GROUP, stream, ["late"], t0 + 1200 + 10_000)
    wait_for(lambda: len(mine()) == 4, 60, 0.5, "the next object, after rotation")
    got = mine()
    assert sorted(got) == sorted(f"{folder}/{topic}+0+{o:010d}{ext}" for o in (0, 1000)
                                 for ext in (".json", ".keys.bin"))
    values = [line for o in (0, 1000) for line in got[f"{folder}/{topic}+0+{o:010d}.json"].decode().splitlines()]
    assert [json.loads(v) for v in values] == lines
    # What the workshop's silver view does to a line: SUBSTRING_INDEX(SUBSTRING_INDEX(value, ' ', 1), '"', -1)
    assert [v.split(" ")[0].split('"')[-1] for v in values] == [line.split(" ")[0] for line in lines]
    keys = got[f"{folder}/{topic}+0+0000001000.keys.bin"].decode().splitlines()
    assert keys == [f"Struct{{logGroupName={GROUP},logStreamName={stream},timestamp={t0 + i}}}"
                    for i in range(1000, 1200)]
    wait_for(lambda: source.stats()["topics"][topic] == 1201, 10, 0.2, "the source's count")
    wait_for(lambda: sink.stats()["committed"].get(f"{topic}+0") == 1200, 10, 0.2, "the sink's commit")
