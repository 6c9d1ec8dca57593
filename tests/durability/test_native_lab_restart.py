"""Nothing lost across `make down`/`make up` and across a SIGKILL of every lab process,
on the native lab (issue 21's acceptance).

One native lab for the module (starting it costs ~30 s). The first case sends visitors
through the shop, crawls the backup, runs an Athena query and a CTAS, and creates a
bucket, a Kinesis stream and a Kinesis Analytics application of its own; after `down` and
`up` the S3 backup has every record, the index every document (OpenSearch keeps its index
in the state dir: nothing is rebuilt), the query the same answer, the CTAS table its rows, the
stream its records from TRIM_HORIZON, the user's Lambda function answers and the
application is RUNNING. The second case SIGKILLs supervisord and every process under it in
the middle of a burst of access-log lines, then `up`: every line written is in the index
and the S3 backup (duplicates allowed: Firehose is at-least-once), every backup object
listed before the kill is still there with the same bytes, and the stream, the function
and the running application are there again.
"""
from __future__ import annotations

import json
import signal
import threading
import uuid

import psutil
import pytest
from labctl import data_lake, native, stage_counts
from labctl import settings as lab

from tests.kinesisanalytics.conftest import json_input
from tests.lambda_executor import functions
from tests.support import line_accounting as acc
from tests.support.native_lab import NativeLab, generated_lines
from tests.support.waiting import wait_for

pytestmark = [pytest.mark.fault, pytest.mark.slow]

APP_SQL = """CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (n INTEGER);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM "n" FROM "SOURCE_SQL_STREAM_001" WHERE "n" > 0;"""
QUERY = f'SELECT response, count(*) AS n FROM "{lab.BACKUP_TABLE}" GROUP BY response ORDER BY response'


@pytest.fixture(scope="module")
def lab_env(tmp_path_factory):
    running = NativeLab.start(tmp_path_factory.mktemp("durable-lab"))
    try:
        yield running
    finally:
        running.stop()


def client(nl: NativeLab, service: str):
    import boto3
    return boto3.client(service, endpoint_url=nl.settings.localstack_url, region_name=lab.REGION,
                        aws_access_key_id="test", aws_secret_access_key="test")


def account_afresh(nl: NativeLab) -> acc.Accounting:
    """Account for every line with what the lab holds *now* (not what was seen before)."""
    nl.observer = acc.LabObserver(nl.settings)
    return nl.account_all(timeout=180)


def backup_objects(nl: NativeLab) -> dict[str, str]:
    s3 = client(nl, "s3")
    return {o["Key"]: o["ETag"] for page in s3.get_paginator("list_objects_v2").paginate(Bucket=lab.BACKUP_BUCKET)
            for o in page.get("Contents", [])}


SENT = [json.dumps({"n": n}).encode() for n in range(1, 21)]


def users_things_are_back(nl: NativeLab, function: str) -> None:
    """The user's stream (records from TRIM_HORIZON), Lambda function and running application."""
    kinesis, kda, lam = (client(nl, n) for n in ("kinesis", "kinesisanalytics", "lambda"))
    shard = kinesis.list_shards(StreamName="users-stream")["Shards"][0]["ShardId"]
    iterator = kinesis.get_shard_iterator(StreamName="users-stream", ShardId=shard,
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    assert [r["Data"] for r in kinesis.get_records(ShardIterator=iterator)["Records"]] == SENT
    error, payload = functions.invoke(lam, function, {"after": "restart"})
    assert error is None and payload["event"] == {"after": "restart"}
    wait_for(lambda: kda.describe_application(ApplicationName="users-app")["ApplicationDetail"]
             ["ApplicationStatus"] == "RUNNING", 120, what="users-app RUNNING after the restart")


def test_down_then_up_keeps_everything(lab_env: NativeLab):
    nl, s = lab_env, lab_env.settings
    case = nl.begin_case("through the shop")
    nl.http_traffic(case, 200, seed=2101)
    before = nl.account_all(timeout=180)
    assert before.lost == 0 and before.backup_missing == 0, before.row()
    glue, athena, s3, kinesis, kda = (client(nl, n) for n in ("glue", "athena", "s3", "kinesis", "kinesisanalytics"))
    data_lake.crawl(glue)
    answer = data_lake.run_query(athena, QUERY)[1]
    ctas = data_lake.run_query(athena, 'CREATE TABLE restart_ctas WITH (format = \'PARQUET\') AS '
                               f'SELECT response, request FROM "{lab.BACKUP_TABLE}"')[0]
    assert ctas["Status"]["State"] == "SUCCEEDED", ctas["Status"]
    ctas_rows = data_lake.run_query(athena, "SELECT count(*) FROM restart_ctas")[1]
    # what a user makes: a bucket, a stream with records, a running application
    s3.create_bucket(Bucket="users-bucket")
    s3.put_object(Bucket="users-bucket", Key="notes.txt", Body=b"kept")
    kinesis.create_stream(StreamName="users-stream", ShardCount=1)
    kinesis.get_waiter("stream_exists").wait(StreamName="users-stream", WaiterConfig={"Delay": 0.5})
    stream_arn = kinesis.describe_stream_summary(StreamName="users-stream")["StreamDescriptionSummary"]["StreamARN"]
    kinesis.put_records(StreamName="users-stream", Records=[{"Data": d, "PartitionKey": uuid.uuid4().hex} for d in SENT])
    lab_env.function = functions.create_function(client(nl, "lambda"), "handlers.echo")
    kda.create_application(ApplicationName="users-app", ApplicationCode=APP_SQL,
                           Inputs=[json_input(stream_arn, [("n", "$.n", "INTEGER")])])
    input_id = kda.describe_application(ApplicationName="users-app")["ApplicationDetail"]["InputDescriptions"][0]["InputId"]
    kda.start_application(ApplicationName="users-app", InputConfigurations=[
        {"Id": input_id, "InputStartingPositionConfiguration": {"InputStartingPosition": "TRIM_HORIZON"}}])
    wait_for(lambda: kda.describe_application(ApplicationName="users-app")["ApplicationDetail"]
             ["ApplicationStatus"] == "RUNNING", 60, what="users-app RUNNING")
    documents = stage_counts.index_documents(s.opensearch_url)
    _objects, backup_records = stage_counts.s3_counts(s.localstack_url)

    native.down(s)
    native.up(s)

    # OpenSearch recovered its index from the state dir: the same count, nothing re-indexed
    assert stage_counts.index_documents(s.opensearch_url) == documents
    assert stage_counts.s3_counts(s.localstack_url)[1] == backup_records
    after = account_afresh(nl)
    assert after.lost == 0 and after.backup_missing == 0 and after.duplicated == 0, after.row()
    athena, s3 = client(nl, "athena"), client(nl, "s3")
    assert data_lake.run_query(athena, QUERY)[1] == answer
    assert data_lake.run_query(athena, "SELECT count(*) FROM restart_ctas")[1] == ctas_rows
    assert s3.get_object(Bucket="users-bucket", Key="notes.txt")["Body"].read() == b"kept"
    users_things_are_back(nl, lab_env.function)


def kill_every_lab_process(s: lab.LabSettings) -> int:
    """SIGKILL supervisord and every process under it at once (a power cut, for the lab)."""
    pid = native.supervisord_pid(s)
    assert pid, "the lab is not running"
    root = psutil.Process(pid)
    procs = [root, *root.children(recursive=True)]
    for proc in procs:
        try:
            proc.send_signal(signal.SIGKILL)
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(procs, timeout=15)
    return len(procs)


def test_sigkill_of_every_process_mid_burst_loses_nothing(lab_env: NativeLab):
    nl, s = lab_env, lab_env.settings
    case = nl.begin_case("SIGKILL mid-burst")
    lines = generated_lines(400, seed=2102, bad_fraction=0.05)
    received_before = nl.firehose().get("received", 0)
    writer = threading.Thread(target=nl.append_paced, args=(case, lines[:250], 10))
    writer.start()
    # mid-burst: Firehose has taken some of the lines, the agent has not read them all
    wait_for(lambda: nl.firehose().get("received", 0) >= received_before + 100, 60, 0.1,
             what="Firehose receiving the burst")
    acknowledged = backup_objects(nl)
    killed = kill_every_lab_process(s)
    writer.join(timeout=60)
    nl.append_lines(case, lines[250:])          # Apache's lines keep coming while the lab is down
    assert killed >= 5

    native.up(s)

    stored = backup_objects(nl)
    missing = {k for k, etag in acknowledged.items() if stored.get(k) != etag}
    assert not missing, f"acknowledged S3 objects missing after the restart: {sorted(missing)[:5]}"
    after = account_afresh(nl)
    assert after.written == len(nl.ledger)
    assert after.lost == 0 and after.backup_missing == 0, (after.row(), after.lost_samples)
    users_things_are_back(nl, lab_env.function)
