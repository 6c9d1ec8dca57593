"""Glue jobs on the lab's Spark, each beside the same work as a plain PySpark script in the
same run (same Spark venv, same machine), and Spark's own start-up time and memory.

- batch: 1,000,000 JSON documents in S3 -> ApplyMapping (4 fields, casts) -> Parquet
  partitioned by status, as a glueetl job through StartJobRun (wall time from StartJobRun to
  SUCCEEDED, so it includes the script download, Spark's start-up and the S3 transfers);
  plain PySpark: the same documents from a local folder, the same select/cast, the same
  partitioned Parquet write, in one spark-submit-like process (start-up included too).
- streaming: records put into Kinesis by the lab's KDG, then the anomaly lab's streaming job
  (Kinesis catalog table -> forEachBatch -> ingestion-time partitions -> Parquet); wall time
  from StartJobRun until every record is in Parquet. Plain PySpark: the same records as a
  JSON-lines file source -> foreachBatch -> partitioned Parquet, until every record is written.
- Spark start-up: SparkSession.builder.getOrCreate() in a fresh process, and the peak RSS
  of that process tree (JVM included) through the plain batch run.

Run: python -m tests.bench.bench_glue_jobs [--quick]
"""
from __future__ import annotations

import argparse
import io
import json
import random
import subprocess
import tempfile
import textwrap
import threading
import time
import uuid
from pathlib import Path

import psutil
import pyarrow.parquet as pq

from tests.bench.figures import figure as bench_figure
from tests.conftest import LOCALSTACK_VENV, LocalStackInstance

REPO = Path(__file__).resolve().parents[2]
SPARK_PYTHON = REPO / ".venv-spark" / "bin" / "python"
STREAM_SCRIPT = REPO / "services" / "anomaly_lab" / "ticket_transactions_stream.py"
NOTE = "wall clock incl. Spark start-up, shared 2-core machine"

GLUE_BATCH = """
import sys
from awsglue.transforms import *
from awsglue.utils import getResolvedOptions
from pyspark.context import SparkContext
from awsglue.context import GlueContext
from awsglue.job import Job
args = getResolvedOptions(sys.argv, ["JOB_NAME", "source", "target"])
glueContext = GlueContext(SparkContext())
job = Job(glueContext)
job.init(args["JOB_NAME"], args)
src = glueContext.create_dynamic_frame.from_options(connection_type="s3", format="json",
    connection_options={"paths": [args["source"]], "recurse": True}, transformation_ctx="src")
mapped = ApplyMapping.apply(frame=src, mappings=[("id", "long", "id", "long"),
    ("customerId", "string", "customer_id", "int"), ("transactionAmount", "long", "amount", "double"),
    ("status", "string", "status", "string")], transformation_ctx="mapped")
glueContext.write_dynamic_frame.from_options(frame=mapped, connection_type="s3", format="glueparquet",
    connection_options={"path": args["target"], "partitionKeys": ["status"]}, transformation_ctx="out")
job.commit()
"""

PLAIN_BATCH = """
import sys, time
t0 = time.monotonic()
from pyspark.sql import SparkSession, functions as F
spark = SparkSession.builder.master("local[*]").config("spark.ui.enabled", "false") \\
    .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1") \\
    .config("spark.sql.shuffle.partitions", "8").getOrCreate()
print("startup", time.monotonic() - t0, flush=True)
df = spark.read.json(sys.argv[1])
out = df.select(F.col("id").cast("long"), F.col("customerId").cast("int").alias("customer_id"),
                F.col("transactionAmount").cast("double").alias("amount"), F.col("status").cast("string"))
out.write.mode("overwrite").partitionBy("status").parquet(sys.argv[2])
spark.stop()
"""

PLAIN_STREAM = """
import sys, time
from pyspark.sql import SparkSession, functions as F
spark = SparkSession.builder.master("local[*]").config("spark.ui.enabled", "false") \\
    .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1") \\
    .config("spark.sql.shuffle.partitions", "8").getOrCreate()
schema = "seq long, customerId string, transactionAmount long, sourceIp string, status string, transactionTime string"
src = spark.readStream.schema(schema).json(sys.argv[1])
def batch(df, batch_id):
    df = df.withColumn("ingest_year", F.lit("2026")).withColumn("ingest_hour", F.lit("00"))
    df.write.mode("append").partitionBy("ingest_year", "ingest_hour").parquet(sys.argv[2])
q = src.writeStream.foreachBatch(batch).option("checkpointLocation", sys.argv[3]).trigger(availableNow=True).start()
q.awaitTermination()
spark.stop()
"""


class PeakRss:
    """Peak summed RSS (MB) of a process tree while running."""

    def __init__(self, pid: int):
        self.root, self.peak = psutil.Process(pid), 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            try:
                procs = [self.root, *self.root.children(recursive=True)]
                self.peak = max(self.peak, sum(p.memory_info().rss for p in procs if p.is_running()) / 2**20)
            except psutil.Error:
                pass

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return self.peak


def _documents(n: int) -> list[str]:
    rng = random.Random(26)
    return [json.dumps({"id": i, "customerId": str(rng.randint(0, 50)), "transactionAmount": rng.randint(10, 150),
                        "sourceIp": f"10.0.{i % 250}.{i % 200}", "status": rng.choice(["OK", "FAIL", "PENDING"])})
            for i in range(n)]


def _finish(glue, job: str, run_id: str, timeout: float = 1800) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = glue.get_job_run(JobName=job, RunId=run_id)["JobRun"]
        if run["JobRunState"] not in ("STARTING", "RUNNING", "STOPPING"):
            return run
        time.sleep(0.5)
    raise TimeoutError(f"{job} still running after {timeout}s")


def _parquet_rows(s3, bucket: str, prefix: str) -> int:
    total = 0
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for obj in page.get("Contents", []):
            if obj["Key"].endswith(".parquet"):
                body = s3.get_object(Bucket=bucket, Key=obj["Key"])["Body"].read()
                total += pq.read_metadata(io.BytesIO(body)).num_rows
    return total


def _plain(script: str, *args: str) -> tuple[float, float, str]:
    """(seconds, peak RSS MB, stdout) of a plain PySpark script in the Spark venv."""
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
        f.write(textwrap.dedent(script))
    started = time.monotonic()
    proc = subprocess.Popen([str(SPARK_PYTHON), f.name, *args], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True, env={"PATH": "/usr/bin:/bin", "SPARK_LOCAL_IP": "127.0.0.1",
                                            "PYSPARK_PYTHON": str(SPARK_PYTHON), "HOME": tempfile.gettempdir()})
    rss = PeakRss(proc.pid)
    out, _ = proc.communicate()
    elapsed = time.monotonic() - started
    if proc.returncode:
        raise RuntimeError(f"plain PySpark script failed ({proc.returncode})")
    return elapsed, rss.stop(), out


def _batch(ls: LocalStackInstance, docs: list[str], work: Path) -> dict:
    s3, glue = ls.client("s3"), ls.client("glue")
    bucket = f"bench-{uuid.uuid4().hex[:6]}"
    s3.create_bucket(Bucket=bucket)
    local = work / "in"
    local.mkdir()
    chunk = len(docs) // 10
    for i in range(10):
        body = "\n".join(docs[i * chunk:(i + 1) * chunk])
        (local / f"part{i}.json").write_text(body)
        s3.put_object(Bucket=bucket, Key=f"in/part{i}.json", Body=body.encode())
    s3.put_object(Bucket=bucket, Key="scripts/batch.py", Body=GLUE_BATCH.encode())
    glue.create_job(Name="bench-batch", Role="r", Command={"Name": "glueetl",
                                                           "ScriptLocation": f"s3://{bucket}/scripts/batch.py"})
    started = time.monotonic()
    rss = PeakRss(ls.proc.pid)
    run_id = glue.start_job_run(JobName="bench-batch", Arguments={
        "--source": f"s3://{bucket}/in/", "--target": f"s3://{bucket}/out/"})["JobRunId"]
    run = _finish(glue, "bench-batch", run_id)
    glue_s, glue_rss = time.monotonic() - started, rss.stop()
    if run["JobRunState"] != "SUCCEEDED":
        raise RuntimeError(f"batch job {run['JobRunState']}: {run.get('ErrorMessage')}")
    written = _parquet_rows(s3, bucket, "out/")
    plain_s, plain_rss, out = _plain(PLAIN_BATCH, str(local), str(work / "out"))
    startup = float(next(line.split()[1] for line in out.splitlines() if line.startswith("startup")))
    return {"glue_s": glue_s, "glue_rss": glue_rss, "written": written, "plain_s": plain_s, "plain_rss": plain_rss,
            "startup": startup}


def _streaming(ls: LocalStackInstance, n: int, work: Path) -> dict:
    from labctl.labs.anomaly import lab as anomaly_lab

    from generator.kdg.sender import Generator, Target, make_clients
    from generator.kdg.template import compile_template

    bucket = f"bench-stream-{uuid.uuid4().hex[:6]}"
    anomaly_lab.provision(ls.url, bucket)
    template = compile_template((REPO / "services" / "anomaly_lab" / "normal.template.json").read_text())
    sender = Generator(template, Target("kinesis", anomaly_lab.STREAM), make_clients(ls.url), rate=0, count=n)
    sender.run()
    sent = sender.progress.snapshot()["sent"]
    glue, s3 = ls.client("glue"), ls.client("s3")
    started = time.monotonic()
    run_id = glue.start_job_run(JobName=anomaly_lab.JOB)["JobRunId"]
    while _parquet_rows(s3, bucket, f"{anomaly_lab.OUTPUT_FOLDER}/") < sent:
        if time.monotonic() - started > 1200:
            raise TimeoutError("the streaming job did not write every record in 20 minutes")
        time.sleep(1)
    glue_s = time.monotonic() - started
    glue.batch_stop_job_run(JobName=anomaly_lab.JOB, JobRunIds=[run_id])
    _finish(glue, anomaly_lab.JOB, run_id)
    src = work / "stream-in"
    src.mkdir()
    rng = random.Random(1)
    (src / "records.json").write_text("\n".join(json.dumps(
        {"seq": i, "customerId": str(rng.randint(0, 50)), "transactionAmount": rng.randint(10, 150),
         "sourceIp": "10.1.2.3", "status": "OK", "transactionTime": "2026-12-05"}) for i in range(sent)))
    plain_s, _, _ = _plain(PLAIN_STREAM, str(src), str(work / "stream-out"), str(work / "stream-ckpt"))
    return {"sent": sent, "glue_s": glue_s, "plain_s": plain_s}


def run(quick: bool = False) -> list[dict]:
    if not SPARK_PYTHON.exists():
        raise RuntimeError(f"no Spark venv at {SPARK_PYTHON}: run `make spark-venv`")
    n_docs, n_records = (100_000, 5_000) if quick else (1_000_000, 30_000)
    figures: list[dict] = []

    def figure(metric: str, value: float, unit: str, notes: str = NOTE) -> None:
        figures.append(bench_figure("glue_jobs", metric, value, unit, None, notes, digits=2))

    base = Path(tempfile.mkdtemp(prefix="bench-glue-"))
    ls = LocalStackInstance(base / "volume", base / "localstack.log")
    assert LOCALSTACK_VENV.exists()
    ls.start()
    try:
        batch = _batch(ls, _documents(n_docs), base)
        if batch["written"] != n_docs:
            raise RuntimeError(f"batch job wrote {batch['written']} of {n_docs} records")
        figure("batch_glue_job_records_per_s", n_docs / batch["glue_s"], "records/s",
               f"{n_docs:,} JSON docs, S3 -> ApplyMapping -> partitioned Parquet, {batch['glue_s']:.0f} s")
        figure("batch_plain_pyspark_records_per_s", n_docs / batch["plain_s"], "records/s",
               f"same work on local files, {batch['plain_s']:.0f} s")
        figure("batch_glue_job_peak_rss", batch["glue_rss"], "MB", "LocalStack + the run's driver and JVM")
        figure("spark_startup", batch["startup"], "s", "SparkSession.getOrCreate() in a fresh process")
        figure("spark_plain_batch_peak_rss", batch["plain_rss"], "MB", "plain PySpark process tree (JVM included)")
        stream = _streaming(ls, n_records, base)
        figure("streaming_glue_job_records_per_s", stream["sent"] / stream["glue_s"], "records/s",
               f"{stream['sent']:,} KDG records in Kinesis -> Parquet, StartJobRun to all written, "
               f"{stream['glue_s']:.0f} s")
        figure("streaming_plain_pyspark_records_per_s", stream["sent"] / stream["plain_s"], "records/s",
               f"same records from a JSON file source -> foreachBatch -> Parquet, {stream['plain_s']:.0f} s")
    finally:
        ls.stop()
    return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    for fig in run(parser.parse_args().quick):
        print(fig)
