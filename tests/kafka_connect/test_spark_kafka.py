"""Spark's own Kafka connector (spark-sql-kafka, from the lab's pinned jars) against the broker the
harness starts: records produced by a Kafka client (confluent-kafka) appear exactly once in a
Structured Streaming query's Delta sink, across two runs of the query on one checkpoint (the
second run takes only what was produced after the first), and a batch `spark.read.format("kafka")`
reads the same records.

Records are produced one per request and flushed, so that every broker's high watermark is right
(Tansu 0.6 reports the start offset of the last batch + 1: REFERENCE §7)."""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from confluent_kafka import Producer

from tests.kafka_connect.conftest import create_topic, unique

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1500)]

REPO = Path(__file__).resolve().parents[2]
SPARK_PYTHON = REPO / ".venv-spark" / "bin" / "python"

QUERY = r'''
import json, os, sys, tempfile
from pathlib import Path
from lab_localstack import spark_conf

bootstrap, topic, table, out = sys.argv[1:5]
work = Path(tempfile.mkdtemp(prefix="spark-kafka-"))
lab = spark_conf.LabSpark(s3_endpoint="http://127.0.0.1:9", work_dir=work, driver_memory="1g", shuffle_partitions=2)
os.environ.update(spark_conf.environment(lab, sys.executable))
from pyspark.sql import SparkSession
builder = SparkSession.builder.master("local[2]")
for key, value in spark_conf.session_conf(lab).items():
    builder = builder.config(key, value)
spark = builder.getOrCreate()
stream = (spark.readStream.format("kafka").option("kafka.bootstrap.servers", bootstrap)
          .option("subscribe", topic).option("startingOffsets", "earliest").load()
          .selectExpr("CAST(value AS STRING) AS value", "partition", "offset"))
query = (stream.writeStream.format("delta").option("checkpointLocation", table + "/_checkpoint")
         .trigger(availableNow=True).start(table))
query.awaitTermination()
rows = [r.value for r in spark.read.format("delta").load(table).collect()]
batch = [r.value for r in spark.read.format("kafka").option("kafka.bootstrap.servers", bootstrap)
         .option("subscribe", topic).load().selectExpr("CAST(value AS STRING) AS value").collect()]
Path(out).write_text(json.dumps({"sink": rows, "batch": batch}))
spark.stop()
'''


def produce_one_by_one(bootstrap: str, topic: str, values: list[str]) -> None:
    producer = Producer({"bootstrap.servers": bootstrap, "linger.ms": 0, "log_level": 3})
    for value in values:
        producer.produce(topic, value=value.encode())
        assert producer.flush(30) == 0


def run_query(tmp_path: Path, bootstrap: str, topic: str, table: Path, n: int) -> dict:
    script = tmp_path / "query.py"
    script.write_text(QUERY)
    out = tmp_path / f"out-{n}.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYSPARK_", "SPARK_"))}
    env["PYTHONPATH"] = str(REPO / "services" / "localstack" / "extension")
    done = subprocess.run([str(SPARK_PYTHON), str(script), bootstrap, topic, str(table), str(out)],
                          capture_output=True, text=True, timeout=1200, env=env, check=False)
    assert done.returncode == 0, done.stderr[-4000:]
    return json.loads(out.read_text())


def test_kafka_records_reach_a_delta_sink_exactly_once(broker, tmp_path):
    if not SPARK_PYTHON.exists():
        pytest.fail(f"no Spark venv at {SPARK_PYTHON}: run `make spark-venv`")
    topic = unique("spark")
    create_topic(broker.bootstrap, topic)
    table = tmp_path / "sink"
    first = [json.dumps({"n": i}) for i in range(40)]
    produce_one_by_one(broker.bootstrap, topic, first)
    got = run_query(tmp_path, broker.bootstrap, topic, table, 1)
    assert sorted(got["sink"]) == sorted(first)
    assert sorted(got["batch"]) == sorted(first)

    second = [json.dumps({"n": i}) for i in range(40, 65)]
    produce_one_by_one(broker.bootstrap, topic, second)
    got = run_query(tmp_path, broker.bootstrap, topic, table, 2)
    assert sorted(got["sink"]) == sorted(first + second)   # each once: the checkpoint resumed
    assert sorted(got["batch"]) == sorted(first + second)
