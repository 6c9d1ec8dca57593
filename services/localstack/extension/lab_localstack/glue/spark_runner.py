"""How a Glue job run's process is started: the Spark venv's Python (LAB_GLUE_SPARK_PYTHON,
default .venv-spark beside LocalStack's venv) running job_runtime/run_job.py, which runs the
job's script with the lab's `awsglue` package (job_runtime/awsglue) on its path.

Spark runs `local[*]` unless LAB_GLUE_SPARK_MASTER names a master (`spark://host:7077`, ...),
with the lab's one Spark configuration (lab_localstack.spark_conf: loopback only, the
connectors' jars, s3a for `s3://` at the lab's endpoint, Delta Lake). The job's boto3 calls
(S3, Kinesis, the Data Catalog, CloudWatch) and s3a go to the lab's own endpoint with the
caller's account as access key, so nothing can reach real AWS.

Settings (environment of LocalStack): LAB_GLUE_SPARK_PYTHON, LAB_GLUE_SPARK_MASTER,
LAB_GLUE_SPARK_DRIVER_MEMORY (default 1g), LAB_GLUE_SHUFFLE_PARTITIONS (default 8: Glue's
200 is for clusters; one machine runs 200 tiny tasks per shuffle much slower).
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from lab_localstack import spark_conf

RUNTIME = Path(__file__).with_name("job_runtime")
RUN_JOB = RUNTIME / "run_job.py"


@dataclass(frozen=True)
class SparkSettings:
    python: Path
    master: str
    driver_memory: str
    shuffle_partitions: int


def settings() -> SparkSettings:
    """The engine's settings, read and checked when a run starts (a bad one names its key)."""
    python = Path(os.environ.get("LAB_GLUE_SPARK_PYTHON")
                  or Path(sys.prefix).parent / ".venv-spark" / "bin" / "python")
    partitions = os.environ.get("LAB_GLUE_SHUFFLE_PARTITIONS", "8")
    if not partitions.isdigit() or int(partitions) < 1:
        raise ValueError(f"LAB_GLUE_SHUFFLE_PARTITIONS must be a positive integer, got {partitions!r}")
    return SparkSettings(python=python, master=os.environ.get("LAB_GLUE_SPARK_MASTER", "local[*]"),
                         driver_memory=os.environ.get("LAB_GLUE_SPARK_DRIVER_MEMORY", "1g"),
                         shuffle_partitions=int(partitions))


def command(cfg: SparkSettings, script: Path, arguments: dict[str, str]) -> list[str]:
    """The run's command line: the script gets its arguments as `--key value` pairs, as on AWS."""
    args: list[str] = []
    for key, value in arguments.items():
        args += [key if key.startswith("--") else f"--{key}", value]
    return [str(cfg.python), str(RUN_JOB), str(script), *args]


def environment(cfg: SparkSettings, *, endpoint: str, account: str, region: str, kind: str,
                work_dir: Path, state_dir: Path, result_file: Path) -> dict[str, str]:
    """The run's environment: nothing of LocalStack's own AWS or Python settings."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("AWS_", "LOCALSTACK_", "PYSPARK_", "SPARK_"))
           and k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    lab = spark_conf.LabSpark(s3_endpoint=endpoint, work_dir=work_dir, access_key=account, secret_key="test",
                              region=region, driver_memory=cfg.driver_memory,
                              shuffle_partitions=cfg.shuffle_partitions)
    env.update(spark_conf.environment(lab, str(cfg.python)))
    env.update(
        PYTHONPATH=str(RUNTIME),
        PYTHONUNBUFFERED="1",
        PYSPARK_SUBMIT_ARGS=spark_conf.submit_args(cfg.master, spark_conf.session_conf(lab)),
        AWS_ENDPOINT_URL=endpoint,
        AWS_ACCESS_KEY_ID=account,
        AWS_SECRET_ACCESS_KEY="test",
        AWS_DEFAULT_REGION=region,
        AWS_REGION=region,
        LAB_GLUE_JOB_KIND=kind,
        LAB_GLUE_STATE_DIR=str(state_dir),
        LAB_GLUE_WORK_DIR=str(work_dir),
        LAB_GLUE_RESULT_FILE=str(result_file),
    )
    return env
