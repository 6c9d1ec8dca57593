"""The CloudWatch lab's notebooks (services/notebooks) over 1,000,000 access-log lines in S3 sink
objects, beside the same analysis as a plain PySpark script (tests/bench/notebooks_plain_pyspark.py)
in the same run, same Spark venv, same machine.

- notebooks: `python -m notebook_runner run` over the four notebooks: mount (copies the sink's
  objects from LocalStack's S3 into the local DBFS root), the raw table, the parsed view, the five
  gold tables, the assert cells, the word cloud, the report; wall time of the whole process (Spark's
  start-up included), and the mount's copy time from its log;
- plain PySpark: the same objects from a local folder, the same parse (a regex) and the same five
  tables written as Parquet, in one process (start-up included).

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
from pathlib import Path

from tests.bench.figures import figure as bench_figure
from tests.conftest import LocalStackInstance
from tests.notebooks.conftest import NOTEBOOKS, SPARK_PYTHON, run_runner, runner_command
from tests.support.data_files import ELASTIC_LOG, GEOIP_TEST_DB
from tests.support.sink_objects import put_sink_objects, sink_objects

PLAIN = Path(__file__).with_name("notebooks_plain_pyspark.py")
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
        mount = re.search(r"(\d+) objects copied in ([\d.]+) s", result.stderr)
        figure("notebooks_run", notebooks_s, "s", f"{n_lines:,} lines, 4 notebooks + report, {NOTE}")
        figure("notebooks_lines_per_s", n_lines / notebooks_s, "lines/s", "whole run")
        if mount:
            figure("notebooks_mount_copy", float(mount.group(2)), "s", f"{mount.group(1)} objects S3 -> local DBFS")
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
