"""The CloudWatch lab's notebooks (services/notebooks) over 1,000,000 access-log lines in S3 sink
objects, beside the same analysis as a plain PySpark script (tests/bench/notebooks_plain_pyspark.py)
in the same run, same Spark venv, same machine.

- notebooks: `python -m notebook_runner run` over the four notebooks: mount (the sink's bucket read
  in place through s3a), the raw table, the bronze Delta table, the parsed view, the five gold
  Delta tables, the assert cells, the word cloud, the report; wall time of the whole process
  (Spark's start-up included);
- plain PySpark: the same objects from a local folder, the same parse (a regex) and the same five
  tables written as Parquet, in one process (start-up included);
- S3 read throughput on the same sink objects: boto3 (GetObject of every object, 8 threads) beside
  Spark's s3a (tests/bench/s3a_read.py: a full scan of the same prefix, after start-up).

The lines are the repository's real Apache log (10,000 lines) repeated; the GeoIP database is
MaxMind's test database (tests/data). Run: python -m tests.bench.bench_notebooks [--quick]
"""
from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.bench.figures import figure as bench_figure
from tests.conftest import LocalStackInstance
from tests.notebooks.conftest import NOTEBOOKS, SPARK_PYTHON, run_runner, runner_command
from tests.support.data_files import ELASTIC_LOG, GEOIP_TEST_DB
from tests.support.sink_objects import put_sink_objects, sink_objects

PLAIN = Path(__file__).with_name("notebooks_plain_pyspark.py")
S3A_READ = Path(__file__).with_name("s3a_read.py")
NOTE = "wall clock incl. Spark start-up, shared 2-core machine"


def run(quick: bool = False) -> list[dict]:
    if not SPARK_PYTHON.exists():
        raise RuntimeError(f"no Spark venv at {SPARK_PYTHON}: run `make spark-venv`")
    n_lines = 100_000 if quick else 1_000_000
    base_lines = ELASTIC_LOG.read_text(encoding="utf-8").splitlines()
    lines = (base_lines * (n_lines // len(base_lines) + 1))[:n_lines]
    figures: list[dict] = []

    def figure(metric: str, value: float, unit: str, notes: str = NOTE) -> None:
        figures.append(bench_figure("notebooks", metric, value, unit, None, notes, digits=2))

    base = Path(tempfile.mkdtemp(prefix="bench-notebooks-"))
    ls = LocalStackInstance(base / "volume", base / "localstack.log")
    ls.start()
    try:
        bucket = f"cloudwatch-kafka-lab-{uuid.uuid4().hex[:6]}"
        started = time.monotonic()
        objects = put_sink_objects(ls.client("s3"), bucket, lines)
        figure("sink_objects_put_s", time.monotonic() - started, "s", f"{objects} objects of 1,000 records to S3")
        started = time.monotonic()
        result = run_runner(runner_command(NOTEBOOKS, base / "report", ls.url,
                                           {"/mnt/cloudwatch-kafka-lab": f"s3://{bucket}/"}), timeout=3600)
        notebooks_s = time.monotonic() - started
        if result.returncode:
            raise RuntimeError(f"notebooks failed: {result.stderr[-1500:]}")
        figure("notebooks_run", notebooks_s, "s", f"{n_lines:,} lines, 4 notebooks + report, {NOTE}")
        figure("notebooks_lines_per_s", n_lines / notebooks_s, "lines/s", "whole run")
        s3 = ls.client("s3")
        keys = [o["Key"] for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix="topics/")
                for o in page.get("Contents", [])]
        started = time.monotonic()
        with ThreadPoolExecutor(8) as pool:
            got = sum(pool.map(lambda k: len(s3.get_object(Bucket=bucket, Key=k)["Body"].read()), keys))
        boto3_s = time.monotonic() - started
        figure("s3_read_boto3_mb_per_s", got / boto3_s / 1e6, "MB/s", f"{len(keys)} objects, {got / 1e6:.0f} MB, 8 threads")
        s3a = subprocess.run([str(SPARK_PYTHON), str(S3A_READ), ls.url, f"s3://{bucket}/topics/"],
                             capture_output=True, text=True, timeout=3600, check=False)
        found = re.search(r"^s3a (\d+) ([\d.]+)$", s3a.stdout, re.MULTILINE)
        if s3a.returncode or not found:
            raise RuntimeError(f"s3a read failed: {s3a.stderr[-1500:]}")
        figure("s3_read_s3a_mb_per_s", int(found.group(1)) / float(found.group(2)) / 1e6, "MB/s",
               "same objects, Spark local[*] full scan after start-up")
        local = base / "sink"
        for key, body in sink_objects(lines).items():
            (local / key).parent.mkdir(parents=True, exist_ok=True)
            (local / key).write_bytes(body)
        started = time.monotonic()
        plain = subprocess.run([str(SPARK_PYTHON), str(PLAIN), str(local / "topics"), str(base / "plain"),
                                str(GEOIP_TEST_DB)], capture_output=True, text=True, timeout=3600, check=False)
        plain_s = time.monotonic() - started
        if plain.returncode or f"rows {n_lines}" not in plain.stdout:
            raise RuntimeError(f"plain PySpark script failed: {plain.stdout[-300:]} {plain.stderr[-1500:]}")
        figure("plain_pyspark_run", plain_s, "s", f"same analysis, DataFrame API, local files, {NOTE}")
        figure("plain_pyspark_lines_per_s", n_lines / plain_s, "lines/s", "whole run")
    finally:
        ls.stop()
        shutil.rmtree(base, ignore_errors=True)  # 650 MB for 1,000,000 lines
    return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    for fig in run(parser.parse_args().quick):
        print(fig)
