"""The one SparkSession every cell of a run shares, configured by the lab's one Spark setting
(lab_localstack.spark_conf, which the Glue jobs engine uses too): local, loopback only, no UI,
the connectors' jars on the classpath, S3 through s3a at the lab's endpoint, Delta Lake's
extension and catalog.

What only the notebooks add: ANSI SQL mode off, as on the Databricks Runtime clusters the
workshop used (an unparseable date gives NULL instead of failing the query); the Agg backend for
matplotlib; Delta's DELETE/UPDATE with subqueries (delta_dml) is done by the runner's SQL path.
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

EXTENSION = Path(__file__).resolve().parents[2] / "localstack" / "extension"
try:
    from lab_localstack import spark_conf
except ImportError:  # the runner started with only services/notebooks on its path
    sys.path.append(str(EXTENSION))
    from lab_localstack import spark_conf


@dataclass(frozen=True)
class SparkSettings:
    master: str = "local[*]"
    driver_memory: str = "2g"
    shuffle_partitions: int = 8
    s3_endpoint: str = "http://127.0.0.1:4566"
    region: str = "us-east-1"


def start(settings: SparkSettings, work_dir: Path):
    lab = spark_conf.LabSpark(s3_endpoint=settings.s3_endpoint, work_dir=work_dir,
                              access_key=os.environ.get("AWS_ACCESS_KEY_ID", "test"),
                              secret_key=os.environ.get("AWS_SECRET_ACCESS_KEY", "test"),
                              region=settings.region, driver_memory=settings.driver_memory,
                              shuffle_partitions=settings.shuffle_partitions)
    conf = spark_conf.session_conf(lab)
    os.environ.update(spark_conf.environment(lab, sys.executable), MPLBACKEND="Agg")
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.master(settings.master).appName("lab-notebooks")
    for key, value in {**conf, "spark.sql.ansi.enabled": "false"}.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark
