"""The lab's ONE local-Spark configuration, shared by the Glue jobs engine (glue/spark_runner.py,
for job runs) and the Databricks notebook runner (services/notebooks/notebook_runner/session.py).

What it sets:
- loopback only: driver host and bind address 127.0.0.1, driver and block-manager ports picked
  free on 127.0.0.1, the UI off (and SPARK_LOCAL_IP=127.0.0.1 in `environment`);
- the connectors' jars (services/jvm/spark/pom.xml: hadoop-aws + AWS SDK v2 modules,
  spark-sql-kafka, Delta Lake) on the driver's classpath, from the folder services/jvm/fetch.py
  fetched and verified (`make spark-venv`); nothing is resolved at run time;
- S3 through s3a at the lab's endpoint: path-style, no TLS, simple credentials, and `s3://` and
  `s3n://` served by S3AFileSystem too (THE ONE PLACE those schemes are mapped), so Glue's and
  Databricks' `s3://bucket/key` paths are read and written in place;
- Delta Lake's session extension and catalog, so `USING delta` tables are Delta tables.

Standard library only: LocalStack's venv builds the settings, the Spark venv uses them.
Settings: LAB_SPARK_JARS_DIR (default: the verified cache folder of the `spark` component).
"""
from __future__ import annotations

import os
import shlex
import socket
from dataclasses import dataclass
from pathlib import Path

JVM_COMPONENT = "spark"
VERIFIED_STAMP = ".verified"   # written by services/jvm/fetch.py once the folder matches its lock
S3A = "org.apache.hadoop.fs.s3a.S3AFileSystem"
S3A_ABSTRACT = "org.apache.hadoop.fs.s3a.S3A"


class SparkJarsMissing(RuntimeError):
    """The connectors' jars are not fetched (or not verified)."""


@dataclass(frozen=True)
class LabSpark:
    """What differs between the lab's Spark users; everything else is the lab's one setting."""
    s3_endpoint: str            # the lab's S3 (LocalStack), e.g. http://127.0.0.1:4566
    work_dir: Path              # warehouse, Derby home, local dirs
    access_key: str = "test"
    secret_key: str = "test"
    region: str = "us-east-1"
    driver_memory: str = "1g"
    shuffle_partitions: int = 8


def cache_root() -> Path:
    """The lab's download cache (same rule as services/jvm/fetch.py)."""
    configured = os.environ.get("LAB_CACHE_DIR")
    return Path(configured).expanduser() if configured else Path.home() / ".cache" / "clickstream-lab"


def jars_dir() -> Path:
    """The verified folder of the connectors' jars; SparkJarsMissing names the fix when absent."""
    configured = os.environ.get("LAB_SPARK_JARS_DIR")
    folder = Path(configured) if configured else cache_root() / "maven" / JVM_COMPONENT
    if configured and not folder.is_dir():
        raise SparkJarsMissing(f"LAB_SPARK_JARS_DIR={configured} is not a folder")
    if not configured and not (folder / VERIFIED_STAMP).is_file():
        raise SparkJarsMissing(f"Spark's connector jars are not fetched into {folder}: run `make spark-venv` "
                               f"(python3 services/jvm/fetch.py {JVM_COMPONENT})")
    if not any(folder.glob("*.jar")):
        raise SparkJarsMissing(f"no jars in {folder}")
    return folder


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def s3a_conf(endpoint: str, access_key: str, secret_key: str, region: str, prefix: str = "spark.hadoop."
             ) -> dict[str, str]:
    """s3a at the lab's S3, for `s3a://`, `s3://` and `s3n://` alike."""
    conf = {
        "fs.s3a.endpoint": endpoint,
        "fs.s3a.endpoint.region": region,
        "fs.s3a.path.style.access": "true",
        "fs.s3a.connection.ssl.enabled": "false",
        "fs.s3a.aws.credentials.provider": "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider",
        "fs.s3a.access.key": access_key,
        "fs.s3a.secret.key": secret_key,
        "fs.s3a.change.detection.mode": "none",   # LocalStack's ETags of multipart copies differ from AWS's
        "fs.s3a.bucket.probe": "0",
    }
    for scheme in ("s3", "s3n"):
        conf[f"fs.{scheme}.impl"] = S3A
        conf[f"fs.AbstractFileSystem.{scheme}.impl"] = S3A_ABSTRACT
    conf["fs.AbstractFileSystem.s3a.impl"] = S3A_ABSTRACT
    return {prefix + key: value for key, value in conf.items()}


def session_conf(lab: LabSpark) -> dict[str, str]:
    """Every Spark setting of a lab session (pass them before the JVM starts)."""
    classpath = str(jars_dir() / "*")
    conf = {
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.driver.host": "127.0.0.1",
        "spark.driver.bindAddress": "127.0.0.1",
        "spark.driver.port": str(free_port()),
        "spark.blockManager.port": str(free_port()),
        "spark.driver.memory": lab.driver_memory,
        "spark.driver.extraClassPath": classpath,
        "spark.executor.extraClassPath": classpath,
        "spark.driver.extraJavaOptions": f"-Dderby.system.home={lab.work_dir}",
        "spark.sql.shuffle.partitions": str(lab.shuffle_partitions),
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.warehouse.dir": str(lab.work_dir / "spark-warehouse"),
        "spark.sql.extensions": "io.delta.sql.DeltaSparkSessionExtension",
        "spark.sql.catalog.spark_catalog": "org.apache.spark.sql.delta.catalog.DeltaCatalog",
        # Delta rebuilds a table's state with 50 tasks by default (sized for clusters): one machine
        # spends most of a small statement scheduling them
        "spark.databricks.delta.snapshotPartitions": str(lab.shuffle_partitions),
        # Delta 4.4's gate for DELETE ... WHERE [NOT] EXISTS (...), which Databricks runs
        "spark.databricks.delta.delete.allowExistsSubquery": "true",
    }
    conf.update(s3a_conf(lab.s3_endpoint, lab.access_key, lab.secret_key, lab.region))
    return conf


def environment(lab: LabSpark, python: str) -> dict[str, str]:
    """The process environment a lab Spark driver needs (set before the JVM starts)."""
    return {"SPARK_LOCAL_IP": "127.0.0.1", "SPARK_LOCAL_DIRS": str(lab.work_dir / "spark-local"),
            "PYSPARK_PYTHON": python, "PYSPARK_DRIVER_PYTHON": python, "TZ": "UTC"}


def submit_args(master: str, conf: dict[str, str]) -> str:
    """PYSPARK_SUBMIT_ARGS for a driver started as a plain Python process."""
    parts = ["--master", master]
    for key, value in conf.items():
        parts += ["--conf", f"{key}={value}"]
    return " ".join(shlex.quote(part) for part in parts + ["pyspark-shell"])
