"""Glue Studio-shaped scripts, unchanged, on the lab's Spark through boto3:
- batch: S3 JSON -> ApplyMapping -> Parquet partitioned by a field (every record once, cast);
- streaming: the anomaly lab's job (Kinesis catalog table as the Glue console makes it ->
  forEachBatch -> add_ingestion_time_columns -> Parquet partitioned by ingestion hour): every
  record sent is read back once; stopped with BatchStopJobRun and started again on the same
  checkpoint, it loses nothing and writes nothing twice;
- and, last, the session's Timeout run (conftest.py) ended TIMEOUT."""
from __future__ import annotations

import datetime as dt
import io
import json
import random
import re
import uuid

import psutil
import pyarrow.parquet as pq
import pytest
from labctl.labs.anomaly import lab as anomaly_lab

from tests.glue_jobs.conftest import REPO_ROOT
from tests.support.waiting import wait_for

pytestmark = [pytest.mark.localstack, pytest.mark.slow]

STREAM_SCRIPT = REPO_ROOT / "services" / "anomaly_lab" / "ticket_transactions_stream.py"

BATCH_SCRIPT = """
import sys
from awsglue.transforms import *
from awsglue.utils import getResolvedOptions
from pyspark.context import SparkContext
from awsglue.context import GlueContext
from awsglue.job import Job

args = getResolvedOptions(sys.argv, ["JOB_NAME", "source", "target"])
sc = SparkContext()
glueContext = GlueContext(sc)
spark = glueContext.spark_session
job = Job(glueContext)
job.init(args["JOB_NAME"], args)

# Script generated for node Amazon S3
AmazonS3_node1 = glueContext.create_dynamic_frame.from_options(
    format_options={"multiline": False},
    connection_type="s3",
    format="json",
    connection_options={"paths": [args["source"]], "recurse": True},
    transformation_ctx="AmazonS3_node1",
)

# Script generated for node Change Schema
ChangeSchema_node2 = ApplyMapping.apply(
    frame=AmazonS3_node1,
    mappings=[
        ("id", "long", "id", "long"),
        ("customerId", "string", "customer_id", "int"),
        ("transactionAmount", "long", "amount", "double"),
        ("status", "string", "status", "string"),
    ],
    transformation_ctx="ChangeSchema_node2",
)

# Script generated for node Amazon S3
AmazonS3_node3 = glueContext.write_dynamic_frame.from_options(
    frame=ChangeSchema_node2,
    connection_type="s3",
    format="glueparquet",
    connection_options={"path": args["target"], "partitionKeys": ["status"]},
    format_options={"compression": "snappy"},
    transformation_ctx="AmazonS3_node3",
)
job.commit()
"""


def parquet_rows(s3, bucket: str, prefix: str) -> list[tuple[str, dict]]:
    """(key, record) for every record of every Parquet object under the prefix."""
    rows = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for obj in page.get("Contents", []):
            if obj["Key"].endswith(".parquet"):
                body = s3.get_object(Bucket=bucket, Key=obj["Key"])["Body"].read()
                rows += [(obj["Key"], r) for r in pq.read_table(io.BytesIO(body)).to_pylist()]
    return rows


@pytest.fixture()
def ticket_stream(glue_lab):
    """The lab's Kinesis stream and its catalog table, as the Glue console creates them."""
    stream = f"TicketTransactions-{uuid.uuid4().hex[:6]}"
    glue_lab.kinesis.create_stream(StreamName=stream, ShardCount=2)
    wait_for(lambda: glue_lab.kinesis.describe_stream_summary(StreamName=stream)["StreamDescriptionSummary"]
             ["StreamStatus"] == "ACTIVE", timeout=30)
    arn = glue_lab.kinesis.describe_stream_summary(StreamName=stream)["StreamDescriptionSummary"]["StreamARN"]
    glue = glue_lab.glue
    try:
        glue.create_database(DatabaseInput={"Name": "tickettransactiondatabase"})
    except glue.exceptions.AlreadyExistsException:
        pass
    glue.delete_table(DatabaseName="tickettransactiondatabase", Name="tickettransactionstreamdata") \
        if "tickettransactionstreamdata" in [t["Name"] for t in glue.get_tables(
            DatabaseName="tickettransactiondatabase")["TableList"]] else None
    glue.create_table(DatabaseName="tickettransactiondatabase",
                      TableInput=anomaly_lab.kinesis_table("tickettransactionstreamdata", stream, arn))
    return stream


LOOPBACK = {"127.0.0.1", "::ffff:127.0.0.1", "::1"}


def listening_addresses(run_id: str) -> set[str]:
    """Addresses the run's processes listen on (its command line names the run's folder)."""
    found = set()
    for process in psutil.process_iter(["cmdline"]):
        if any(run_id in part for part in process.info["cmdline"] or []):
            try:
                members = [process, *process.children(recursive=True)]
            except psutil.NoSuchProcess:
                continue
            for member in members:
                try:   # a worker may exit while it is read: what it listened on is gone with it
                    found |= {c.laddr.ip for c in member.net_connections(kind="inet")
                              if c.status == psutil.CONN_LISTEN}
                except psutil.NoSuchProcess:
                    continue
    return found


def send(kinesis, stream: str, ids: range) -> None:
    rng = random.Random(ids.start)
    records = [{"Data": json.dumps({"seq": i, "customerId": str(rng.randint(0, 50)),
                                    "transactionAmount": rng.randint(10, 150), "sourceIp": "10.1.2.3",
                                    "status": "OK", "transactionTime": dt.datetime.now(dt.UTC).isoformat()}),
                "PartitionKey": str(i)} for i in ids]
    for i in range(0, len(records), 500):
        assert kinesis.put_records(StreamName=stream, Records=records[i:i + 500])["FailedRecordCount"] == 0


def test_streaming_job_exactly_once_across_stop_and_restart(glue_lab, ticket_stream):
    s3, glue = glue_lab.s3, glue_lab.glue
    bucket = f"stream-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket)
    script = glue_lab.script(STREAM_SCRIPT.read_text(), "ticket_transactions_stream.py")
    job = f"ticket-stream-{uuid.uuid4().hex[:6]}"
    glue.create_job(Name=job, Role="arn:aws:iam::000000000000:role/lab-glue-job",
                    Command={"Name": "gluestreaming", "ScriptLocation": script}, GlueVersion="5.0",
                    DefaultArguments={"--output_path": f"s3://{bucket}/tickets/", "--TempDir": f"s3://{bucket}/tmp"})
    assert "Timeout" not in glue.get_job(JobName=job)["Job"]   # a streaming job runs until stopped

    def seqs() -> list[int]:
        return sorted(r["seq"] for _, r in parquet_rows(s3, bucket, "tickets/"))

    send(glue_lab.kinesis, ticket_stream, range(300))
    first = glue.start_job_run(JobName=job)["JobRunId"]
    wait_for(lambda: len(seqs()) >= 300, timeout=420, interval=3, what="the first 300 records in Parquet")
    listening = listening_addresses(first)   # the run's driver, JVM and Python workers
    assert listening and listening <= LOOPBACK, listening
    send(glue_lab.kinesis, ticket_stream, range(300, 400))   # in flight while the run is stopped
    glue.batch_stop_job_run(JobName=job, JobRunIds=[first])
    stopped = glue_lab.finish(job, first, timeout=180)
    assert stopped["JobRunState"] == "STOPPED", stopped.get("ErrorMessage")

    send(glue_lab.kinesis, ticket_stream, range(400, 500))
    second = glue.start_job_run(JobName=job)["JobRunId"]
    wait_for(lambda: len(seqs()) >= 500, timeout=420, interval=3, what="all 500 records in Parquet")
    glue.batch_stop_job_run(JobName=job, JobRunIds=[second])
    assert glue_lab.finish(job, second, timeout=180)["JobRunState"] == "STOPPED"

    assert seqs() == list(range(500))   # each once: nothing lost, nothing written twice
    year = dt.datetime.now(dt.UTC).year
    for key, row in parquet_rows(s3, bucket, "tickets/")[:5]:
        assert re.match(r"tickets/ingest_year=(\d{4})/ingest_month=\d\d/ingest_day=\d\d/ingest_hour=\d\d/run-", key)
        assert abs(int(key.split("=")[1].split("/")[0]) - year) <= 1
        assert set(row) >= {"customerId", "transactionAmount", "sourceIp", "status", "transactionTime"}


@pytest.fixture(scope="module", autouse=True)
def batch_run(glue_lab):
    """The batch job's run, started when the module starts: it runs beside the streaming test."""
    s3 = glue_lab.s3
    bucket = f"batch-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket)
    rng = random.Random(26)
    records = [{"id": i, "customerId": str(rng.randint(0, 50)), "transactionAmount": rng.randint(10, 150),
                "sourceIp": f"10.0.{i % 7}.{i % 250}", "status": rng.choice(["OK", "FAIL", "PENDING"])}
               for i in range(3000)]
    for n, key in enumerate(["in/a.json", "in/2026/12/b.json", "in/2026/12/c.json"]):
        chunk = records[n * 1000:(n + 1) * 1000]
        s3.put_object(Bucket=bucket, Key=key, Body="\n".join(json.dumps(r) for r in chunk).encode())
    s3.put_object(Bucket=bucket, Key="in/_SUCCESS", Body=b"")   # not data
    job = glue_lab.job(BATCH_SCRIPT, kind="glueetl")
    run_id = glue_lab.glue.start_job_run(JobName=job, Arguments={
        "--source": f"s3://{bucket}/in/", "--target": f"s3://{bucket}/out/"})["JobRunId"]
    return job, run_id, bucket, records


def test_glue_studio_batch_script(glue_lab, batch_run):
    job, run_id, bucket, records = batch_run
    run = glue_lab.finish(job, run_id, timeout=420)
    assert run["JobRunState"] == "SUCCEEDED", run.get("ErrorMessage")

    rows = parquet_rows(glue_lab.s3, bucket, "out/")
    assert sorted(r["id"] for _, r in rows) == list(range(3000))
    by_id = {r["id"]: (key, r) for key, r in rows}
    for source in records:
        key, row = by_id[source["id"]]
        assert f"/status={source['status']}/" in key                   # partition folder, not a column
        assert row == {"id": source["id"], "customer_id": int(source["customerId"]),
                       "amount": float(source["transactionAmount"])}


TRANSFORMS_SCRIPT = """
import json, sys
from awsglue.transforms import *
from awsglue.utils import getResolvedOptions
from awsglue.dynamicframe import DynamicFrame
from pyspark.context import SparkContext
from awsglue.context import GlueContext
from awsglue.job import Job

args = getResolvedOptions(sys.argv, ["JOB_NAME", "bucket"])
glueContext = GlueContext(SparkContext.getOrCreate())
job = Job(glueContext)
job.init(args["JOB_NAME"], args)
b = args["bucket"]
people = glueContext.create_dynamic_frame.from_options(connection_type="s3", format="csv",
    connection_options={"paths": [f"s3://{b}/people/"]}, format_options={"withHeader": True, "separator": ";"})
orders = glueContext.create_dynamic_frame.from_options(connection_type="s3", format="json",
    connection_options={"paths": [f"s3://{b}/orders/"]})
orders = ResolveChoice.apply(frame=orders, specs=[("amount", "cast:double")])
orders = DropNullFields.apply(frame=orders)                      # "unused" is null everywhere
big = Filter.apply(frame=orders, f=lambda r: r["amount"] >= 50)
big = Map.apply(frame=big, f=lambda r: {**r, "amount_cents": int(r["amount"] * 100)})
joined = Join.apply(big, RenameField.apply(frame=people, old_name="name", new_name="who"), "person", "id")
out = SelectFields.apply(frame=joined, paths=["order", "who", "amount_cents", "country"])
out = DropFields.apply(frame=out, paths=["country"]).coalesce(1)
sink = glueContext.getSink(connection_type="s3", path=f"s3://{b}/big/", enableUpdateCatalog=True,
                           partitionKeys=["who"])
sink.setFormat("glueparquet")
sink.setCatalogInfo(catalogDatabase=args["JOB_NAME"].replace("-", "_"), catalogTableName="big_orders")
sink.writeFrame(out)
print(json.dumps({"columns_after_dropnull": sorted(orders.toDF().columns),
                  "rows": sorted([r.asDict() for r in out.toDF().collect()], key=lambda r: r["order"])}))
try:
    glueContext.create_dynamic_frame.from_options(connection_type="dynamodb", connection_options={})
except NotImplementedError as e:
    print(json.dumps({"refused": str(e)}))
# job bookmarks (--job-bookmark-option job-bookmark-enable): a committed read is not read again
def bookmarked():
    return glueContext.create_dynamic_frame.from_options(connection_type="s3", format="json",
        connection_options={"paths": [f"s3://{b}/orders/"]}, transformation_ctx="orders_source").count()
first = bookmarked()
job.commit()
job = Job(glueContext)
job.init(args["JOB_NAME"], args)
print(json.dumps({"bookmarked_reads": [first, bookmarked()]}))
job.commit()
"""


@pytest.fixture(scope="module", autouse=True)
def transforms_run(glue_lab):
    """The transforms job's run, started when the module starts, beside the others."""
    s3, glue = glue_lab.s3, glue_lab.glue
    bucket = f"transforms-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="people/p.csv", Body=b"id;name;country\n1;ana;PT\n2;bo;SE\n3;cy;FR\n")
    orders = [{"order": i, "person": i % 3 + 1, "amount": 10 * i, "unused": None} for i in range(1, 11)]
    s3.put_object(Bucket=bucket, Key="orders/o.json", Body="\n".join(json.dumps(o) for o in orders).encode())
    job = glue_lab.job(TRANSFORMS_SCRIPT, kind="glueetl")
    glue.create_database(DatabaseInput={"Name": job.replace("-", "_")})
    run_id = glue.start_job_run(JobName=job, Arguments={"--bucket": bucket,
                                                        "--job-bookmark-option": "job-bookmark-enable"})["JobRunId"]
    return job, run_id, bucket, orders


def test_transforms_and_catalog_sink(glue_lab, transforms_run):
    s3, glue = glue_lab.s3, glue_lab.glue
    job, run_id, bucket, orders = transforms_run
    run = glue_lab.finish(job, run_id, timeout=420)
    assert run["JobRunState"] == "SUCCEEDED", run.get("ErrorMessage")
    printed = [json.loads(line) for line in glue_lab.log_lines("/aws-glue/jobs/output", run_id)]
    names = {1: "ana", 2: "bo", 3: "cy"}
    expected = [{"order": o["order"], "who": names[o["person"]], "amount_cents": o["amount"] * 100}
                for o in orders if o["amount"] >= 50]
    assert printed[0] == {"columns_after_dropnull": ["amount", "order", "person"], "rows": expected}
    assert "dynamodb" in printed[1]["refused"] and "not provided" in printed[1]["refused"]
    assert printed[2] == {"bookmarked_reads": [10, 0]}
    table = glue.get_table(DatabaseName=job.replace("-", "_"), Name="big_orders")["Table"]
    assert [k["Name"] for k in table["PartitionKeys"]] == ["who"]
    assert {c["Name"]: c["Type"] for c in table["StorageDescriptor"]["Columns"]} == {"order": "bigint",
                                                                                     "amount_cents": "bigint"}
    partitions = glue.get_partitions(DatabaseName=job.replace("-", "_"), TableName="big_orders")["Partitions"]
    assert sorted(p["Values"][0] for p in partitions) == sorted({e["who"] for e in expected})
    rows = parquet_rows(s3, bucket, "big/")
    assert sorted(r["order"] for _, r in rows) == [e["order"] for e in expected]


@pytest.fixture(scope="module", autouse=True)
def timeout_run(glue_lab) -> tuple[str, str]:
    """A pythonshell run with Timeout 1 (minute) that would sleep for ten, started with this
    file's first test so that its minute passes while the others run. Not earlier: another
    folder's file may restart the worker's LocalStack in between (tests/glue/test_catalog.py
    does), which ends the run FAILED, as a restarted LocalStack ends every run in flight."""
    job = glue_lab.job("import time\nprint('sleeping')\ntime.sleep(600)\n", Timeout=1)
    return job, glue_lab.glue.start_job_run(JobName=job)["JobRunId"]


def test_the_timeout_run_ended_timeout(glue_lab, timeout_run):
    job, run_id = timeout_run
    run = glue_lab.finish(job, run_id, timeout=120)
    assert run["JobRunState"] == "TIMEOUT"
    assert run["Timeout"] == 1 and run["ExecutionTime"] >= 60
    assert glue_lab.log_lines("/aws-glue/jobs/output", run_id) == ["sleeping"]
