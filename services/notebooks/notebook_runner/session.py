"""The one SparkSession every cell of a run shares: local, loopback only, no UI.

Pinned as the Glue jobs engine pins it: SPARK_LOCAL_IP and the driver's host and bind address
are 127.0.0.1, the driver and block-manager ports are picked free on 127.0.0.1 for the run, the
UI is off, and PYSPARK_PYTHON is this venv's Python (Spark's Python workers fail to connect back
otherwise). Session time zone UTC. ANSI SQL mode is off, as on the Databricks Runtime clusters
the workshop used (an unparseable date gives NULL instead of failing the query).
"""
from __future__ import annotations

import os
import socket
import sys
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class SparkSettings:
    master: str = "local[*]"
    driver_memory: str = "2g"
    shuffle_partitions: int = 8


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(settings: SparkSettings, work_dir: Path):
    os.environ.update(SPARK_LOCAL_IP="127.0.0.1", PYSPARK_PYTHON=sys.executable,
                      PYSPARK_DRIVER_PYTHON=sys.executable, TZ="UTC", MPLBACKEND="Agg")
    os.environ["SPARK_LOCAL_DIRS"] = str(work_dir / "spark-local")
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.master(settings.master).appName("lab-notebooks")
    conf = {
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.driver.host": "127.0.0.1",
        "spark.driver.bindAddress": "127.0.0.1",
        "spark.driver.port": str(_free_port()),
        "spark.blockManager.port": str(_free_port()),
        "spark.driver.memory": settings.driver_memory,
        "spark.sql.shuffle.partitions": str(settings.shuffle_partitions),
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.ansi.enabled": "false",
        "spark.sql.warehouse.dir": str(work_dir / "spark-warehouse"),
        "spark.driver.extraJavaOptions": f"-Dderby.system.home={work_dir}",
    }
    for key, value in conf.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark
