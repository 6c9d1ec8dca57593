"""Reads every object under an S3 prefix through Spark's s3a (the lab's one Spark configuration)
and prints `s3a <bytes> <seconds>`: the time of the read alone (a full scan of the text), after
Spark's start-up. Run with the Spark venv: python s3a_read.py ENDPOINT s3://bucket/prefix/
"""
from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "services" / "localstack" / "extension"))
from lab_localstack import spark_conf

endpoint, url = sys.argv[1], sys.argv[2]
lab = spark_conf.LabSpark(s3_endpoint=endpoint, work_dir=Path(tempfile.mkdtemp(prefix="s3a-read-")))
os.environ.update(spark_conf.environment(lab, sys.executable))
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

builder = SparkSession.builder.master("local[*]")
for key, value in spark_conf.session_conf(lab).items():
    builder = builder.config(key, value)
spark = builder.getOrCreate()
started = time.monotonic()
total = spark.read.option("recursiveFileLookup", "true").text(url).agg(F.sum(F.length("value") + 1)).first()[0]
print(f"s3a {total} {time.monotonic() - started:.3f}")
spark.stop()
