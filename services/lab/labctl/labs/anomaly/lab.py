"""The sibling labs' "Anomaly Detection with Kinesis and Glue Jobs", driven end to end in the
lab's LocalStack, the workshop's steps in order:
 1. the Kinesis stream TicketTransactionStreamingData (2 shards), the Glue database
    tickettransactiondatabase and its table tickettransactionstreamdata over the stream (JSON,
    schema detection on: no columns), as the Glue console makes it;
 2. the Glue streaming job (services/anomaly_lab/ticket_transactions_stream.py, Glue Studio's
    shape: catalog table -> Parquet, uncompressed, partitioned by ingestion hour), started;
 3. two Kinesis Data Generators: the normal template at 100 records/s and the abnormal
    client (sourceIp 221.233.116.256) at 1 record/s, for --duration seconds;
 4. once every record sent is in the job's Parquet, the crawler (prefix parquet_, hourly
    schedule) over the output;
 5. the workshop's Athena query (services/anomaly_lab/anomaly_query.sql), printed.
Exit status 0 when the abnormal client ranks first with as many transactions as its KDG sent.
Run: make anomaly-lab (labctl anomaly-lab [--endpoint URL] [--duration 60] [--bucket NAME] [--keep-running])
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import boto3

from generator.kdg.sender import Generator, Target, make_clients
from generator.kdg.template import compile_template
from labctl import settings as lab
from labctl.data_lake import DataLake, crawl, run_query
from labctl.labs.anomaly.parquet_rows import num_rows

LOG = logging.getLogger(__name__)
HERE = lab.REPO_ROOT / "services" / "anomaly_lab"
STREAM = "TicketTransactionStreamingData"
DATABASE = "tickettransactiondatabase"
TABLE = "tickettransactionstreamdata"
JOB = "TicketTransactionStreamingJob"
CRAWLER = "TicketTransactionParquetCrawler"
ABNORMAL_IP = "221.233.116.256"
OUTPUT_FOLDER = "tickettransactionstreamingdata"   # the crawler names the table after it
ROLE = "arn:aws:iam::000000000000:role/AWSGlueServiceRole-anomaly"


@dataclass
class Outcome:
    normal_sent: int
    abnormal_sent: int
    rows: list[list]

    @property
    def abnormal_first(self) -> bool:
        return len(self.rows) > 1 and self.rows[1][1] == ABNORMAL_IP and int(self.rows[1][0]) == self.abnormal_sent


def _client(service: str, url: str):
    return boto3.client(service, endpoint_url=url, region_name=lab.REGION,
                        aws_access_key_id="test", aws_secret_access_key="test")


def _wait(check, timeout: float, what: str, interval: float = 1.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(interval)
    raise TimeoutError(f"{what}: not done within {timeout:.0f}s")


def kinesis_table(name: str, stream: str, arn: str) -> dict:
    """A TableInput for a Kinesis source as the Glue console creates it (JSON, schema detection
    on: no columns; the endpoint is AWS's, which the lab's jobs never call)."""
    return {"Name": name, "TableType": "EXTERNAL_TABLE", "Parameters": {"classification": "json"},
            "StorageDescriptor": {
                "Columns": [], "Location": stream,
                "InputFormat": "org.apache.hadoop.mapred.TextInputFormat",
                "OutputFormat": "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
                "SerdeInfo": {"SerializationLibrary": "org.openx.data.jsonserde.JsonSerDe"},
                "Parameters": {"typeOfData": "kinesis", "streamARN": arn,
                               "kinesisUrl": f"https://kinesis.{lab.REGION}.amazonaws.com"}}}


def provision(url: str, bucket: str) -> str:
    """Steps 1 and 2: stream, database, Kinesis table, the job; returns the job's name."""
    kinesis, glue, s3 = _client("kinesis", url), _client("glue", url), _client("s3", url)
    try:
        kinesis.create_stream(StreamName=STREAM, ShardCount=2)
    except kinesis.exceptions.ResourceInUseException:
        pass
    _wait(lambda: kinesis.describe_stream_summary(StreamName=STREAM)["StreamDescriptionSummary"]["StreamStatus"]
          == "ACTIVE", 60, f"stream {STREAM}")
    arn = kinesis.describe_stream_summary(StreamName=STREAM)["StreamDescriptionSummary"]["StreamARN"]
    try:
        glue.create_database(DatabaseInput={"Name": DATABASE})
    except glue.exceptions.AlreadyExistsException:
        pass
    table = kinesis_table(TABLE, STREAM, arn)
    try:
        glue.create_table(DatabaseName=DATABASE, TableInput=table)
    except glue.exceptions.AlreadyExistsException:
        glue.update_table(DatabaseName=DATABASE, TableInput=table)
    try:
        s3.create_bucket(Bucket=bucket)
    except (s3.exceptions.BucketAlreadyOwnedByYou, s3.exceptions.BucketAlreadyExists):
        pass
    script = HERE / "ticket_transactions_stream.py"
    s3.put_object(Bucket=bucket, Key=f"scripts/{script.name}", Body=script.read_bytes())
    job = {"Role": ROLE, "GlueVersion": "5.0", "WorkerType": "G.1X", "NumberOfWorkers": 2,
           "Command": {"Name": "gluestreaming", "ScriptLocation": f"s3://{bucket}/scripts/{script.name}",
                       "PythonVersion": "3"},
           "DefaultArguments": {"--output_path": f"s3://{bucket}/{OUTPUT_FOLDER}/",
                                "--TempDir": f"s3://{bucket}/temporary/", "--job-language": "python"}}
    try:
        glue.create_job(Name=JOB, **job)
    except glue.exceptions.AlreadyExistsException:
        glue.update_job(JobName=JOB, JobUpdate=job)
    return JOB


def start_job(url: str) -> str:
    glue = _client("glue", url)
    for run in glue.get_job_runs(JobName=JOB)["JobRuns"]:
        if run["JobRunState"] in ("STARTING", "RUNNING"):
            return run["Id"]
    run_id = glue.start_job_run(JobName=JOB)["JobRunId"]
    _wait(lambda: glue.get_job_run(JobName=JOB, RunId=run_id)["JobRun"]["JobRunState"] != "STARTING", 120,
          "job run to start")
    return run_id


def send(url: str, duration: float, rate: float) -> tuple[int, int]:
    """Step 3: the two KDGs at once; (normal sent, abnormal sent)."""
    clients = make_clients(url, lab.REGION)
    target = Target("kinesis", STREAM)
    normal = Generator(compile_template((HERE / "normal.template.json").read_text()), target, clients, rate,
                       duration=duration)
    abnormal = Generator(compile_template((HERE / "abnormal.template.json").read_text()), target, clients, 1,
                         duration=duration)
    for g in (normal, abnormal):
        g.start()
    for g in (normal, abnormal):
        g.join()
        if g.progress.snapshot()["state"] == "error":
            raise RuntimeError(f"KDG failed: {g.progress.snapshot()['error']}")
    return normal.progress.snapshot()["sent"], abnormal.progress.snapshot()["sent"]


def parquet_records(url: str, bucket: str) -> int:
    """Rows in the job's Parquet output, read as Athena reads the folder: files under a
    `_` or `.` folder (the writer's `_lab_staging/`, Spark's `_temporary/`) are not data, and
    one removed between the listing and the read (a staging file committed) is skipped."""
    s3 = _client("s3", url)
    total = 0
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=f"{OUTPUT_FOLDER}/"):
        for obj in page.get("Contents", []):
            parts = obj["Key"][len(OUTPUT_FOLDER) + 1:].split("/")
            if not obj["Key"].endswith(".parquet") or any(p.startswith(("_", ".")) for p in parts):
                continue
            try:
                body = s3.get_object(Bucket=bucket, Key=obj["Key"])["Body"].read()
            except s3.exceptions.NoSuchKey:
                continue
            total += num_rows(body)
    return total


def query(url: str, bucket: str) -> list[list]:
    """Steps 4 and 5: crawl the job's output, run the workshop's query."""
    glue = _client("glue", url)
    lake = DataLake(database=DATABASE, crawler=CRAWLER, bucket=bucket, prefix=f"{OUTPUT_FOLDER}/",
                    output=f"s3://{bucket}/athena-results/")
    try:
        glue.create_crawler(Name=CRAWLER, Role=ROLE, DatabaseName=DATABASE, TablePrefix="parquet_",
                            Schedule="cron(0 * * * ? *)",
                            Targets={"S3Targets": [{"Path": f"s3://{bucket}/{OUTPUT_FOLDER}/"}]})
    except glue.exceptions.AlreadyExistsException:
        pass
    crawl(glue, lake)
    sql = (HERE / "anomaly_query.sql").read_text().strip().rstrip(";")
    execution, rows = run_query(_client("athena", url), sql, lake)
    if execution["Status"]["State"] != "SUCCEEDED":
        raise RuntimeError(f"Athena query {execution['Status']['State']}: "
                           f"{execution['Status'].get('StateChangeReason')}")
    return rows


def run(url: str, bucket: str, duration: float, rate: float, keep_running: bool) -> Outcome:
    provision(url, bucket)
    run_id = start_job(url)
    LOG.info("Glue streaming job %s running (run %s)", JOB, run_id)
    before = parquet_records(url, bucket)
    normal, abnormal = send(url, duration, rate)
    LOG.info("KDGs sent %d normal and %d abnormal records; waiting for the job to write them", normal, abnormal)
    _wait(lambda: parquet_records(url, bucket) >= before + normal + abnormal, 600,
          "the streaming job's Parquet to hold every record sent", interval=3)
    if not keep_running:
        glue = _client("glue", url)
        glue.batch_stop_job_run(JobName=JOB, JobRunIds=[run_id])
        _wait(lambda: glue.get_job_run(JobName=JOB, RunId=run_id)["JobRun"]["JobRunState"] == "STOPPED", 180,
              "the job run to stop")
    return Outcome(normal, abnormal, query(url, bucket))
