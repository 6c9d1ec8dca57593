"""A Glue batch job reads and writes the lab's S3 in place through s3a: create_dynamic_frame
.from_options(connection_type="s3"), spark.read of an `s3://` path, write_dynamic_frame to S3 and
a Delta table at an `s3://` location. The job reports Hadoop's own FileSystem statistics (bytes
read and written by the S3A file system) and every file under its run folder: the bytes went
through s3a, and no object was copied to local disk."""
from __future__ import annotations

import json
import uuid

import pytest

pytestmark = [pytest.mark.localstack, pytest.mark.slow]

SCRIPT = """
import json, os, sys
from awsglue.utils import getResolvedOptions
from awsglue.context import GlueContext
from pyspark.context import SparkContext

args = getResolvedOptions(sys.argv, ["JOB_NAME", "bucket"])
glue = GlueContext(SparkContext.getOrCreate())
spark = glue.spark_session
b = args["bucket"]
frame = glue.create_dynamic_frame.from_options(connection_type="s3", format="json",
                                               connection_options={"paths": [f"s3://{b}/in/"]})
direct = spark.read.json(f"s3://{b}/in/")
glue.write_dynamic_frame.from_options(frame=frame, connection_type="s3", format="json",
                                      connection_options={"path": f"s3://{b}/out/"})
direct.write.format("delta").save(f"s3://{b}/delta/")
stats = {}
for s in spark.sparkContext._jvm.org.apache.hadoop.fs.FileSystem.getAllStatistics():
    stats[s.getScheme()] = [s.getBytesRead(), s.getBytesWritten()]
work = os.environ["LAB_GLUE_WORK_DIR"]
files = [os.path.relpath(os.path.join(d, f), work) for d, _, fs in os.walk(work) for f in fs]
print("RESULT " + json.dumps({"frame": frame.count(), "direct": direct.count(),
                              "delta": spark.read.format("delta").load(f"s3://{b}/delta/").count(),
                              "stats": stats, "files": files}))
"""


def test_glue_job_reads_and_writes_s3_in_place(glue_lab):
    bucket = f"s3a-{uuid.uuid4().hex[:8]}"
    glue_lab.s3.create_bucket(Bucket=bucket)
    records = [{"id": i, "name": f"n{i}"} for i in range(500)]
    body = "\n".join(json.dumps(r) for r in records).encode()
    for part in range(4):
        glue_lab.s3.put_object(Bucket=bucket, Key=f"in/part-{part}.json", Body=body)
    job = glue_lab.job(SCRIPT, kind="glueetl")
    run_id = glue_lab.glue.start_job_run(JobName=job, Arguments={"--bucket": bucket})["JobRunId"]
    run = glue_lab.finish(job, run_id, timeout=600)
    assert run["JobRunState"] == "SUCCEEDED", run.get("ErrorMessage")
    line = next(m for m in glue_lab.log_lines("/aws-glue/jobs/output", run_id) if m.startswith("RESULT "))
    result = json.loads(line[len("RESULT "):])
    assert (result["frame"], result["direct"], result["delta"]) == (2000, 2000, 2000)
    s3 = [v for k, v in result["stats"].items() if k in ("s3", "s3a", "s3n")]
    read, written = sum(v[0] for v in s3), sum(v[1] for v in s3)
    assert read >= 4 * len(body)          # every input byte came through s3a
    assert written > 0
    local_data = [f for f in result["files"] if f.endswith((".json", ".parquet"))
                  and not f.startswith("result")]
    assert local_data == [], f"objects copied to the run's local disk: {local_data}"
    keys = [o["Key"] for o in glue_lab.s3.list_objects_v2(Bucket=bucket, Prefix="out/")["Contents"]]
    assert keys and all(k.startswith("out/run-") and "_lab_staging" not in k for k in keys)
    out = b"".join(glue_lab.s3.get_object(Bucket=bucket, Key=k)["Body"].read() for k in keys)
    assert sorted(json.loads(x)["id"] for x in out.splitlines() if x) == sorted(list(range(500)) * 4)
