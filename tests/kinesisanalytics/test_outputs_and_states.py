"""Outputs to a Firehose (the lab's, to S3) and to a Lambda (AWS's delivery event, retried
while it answers DeliveryFailed), and the application states through Start, Update and Stop."""
from __future__ import annotations

import json

import pytest

from tests.kinesisanalytics.conftest import (
    ROLE,
    collect,
    json_input,
    make_stream,
    put,
    read_json,
    start,
    stream_output,
    unique,
)
from tests.support.firehose_calls import create_function, make_bucket, objects, s3_destination
from tests.support.waiting import wait_for

pytestmark = pytest.mark.localstack

PASS_THROUGH = """
CREATE OR REPLACE STREAM "OUT" (client VARCHAR(16), status INTEGER);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "OUT" SELECT STREAM "client", "status" FROM "SOURCE_SQL_STREAM_001";
"""
COLUMNS = [("client", "$.client", "VARCHAR(16)"), ("status", "$.status", "INTEGER")]

# Answers DeliveryFailed to the first delivery of each record, then Ok; appends what it was
# given to a file on this host (the lab runs Lambdas as host processes).
DELIVERY = """
import base64, json

def lambda_handler(event, context):
    assert event["applicationArn"].startswith("arn:aws:kinesisanalytics:")
    out = []
    with open(%r, "a") as log:
        for record in event["records"]:
            retry = record["lambdaDeliveryRecordMetadata"]["retryHint"]
            log.write(json.dumps({"retryHint": retry, "data": base64.b64decode(record["data"]).decode()}) + "\\n")
            out.append({"recordId": record["recordId"], "result": "Ok" if retry > 0 else "DeliveryFailed"})
    return {"records": out}
"""


def _lines(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_firehose_and_lambda_outputs(localstack, tmp_path):
    source = make_stream(localstack)
    bucket = make_bucket(localstack)
    delivery = unique("kda-out")
    localstack.client("firehose").create_delivery_stream(
        DeliveryStreamName=delivery, ExtendedS3DestinationConfiguration=s3_destination(bucket))
    firehose_arn = localstack.client("firehose").describe_delivery_stream(
        DeliveryStreamName=delivery)["DeliveryStreamDescription"]["DeliveryStreamARN"]
    received = tmp_path / "delivered.jsonl"
    function = create_function(localstack, DELIVERY % str(received), name=unique("kda-deliver"))
    name = unique("kda-outputs")
    localstack.client("kinesisanalytics").create_application(
        ApplicationName=name, ApplicationCode=PASS_THROUGH, Inputs=[json_input(source, COLUMNS)],
        Outputs=[{"Name": "OUT", "KinesisFirehoseOutput": {"ResourceARN": firehose_arn, "RoleARN": ROLE},
                  "DestinationSchema": {"RecordFormatType": "CSV"}},
                 {"Name": "OUT", "LambdaOutput": {"ResourceARN": function, "RoleARN": ROLE},
                  "DestinationSchema": {"RecordFormatType": "JSON"}}])
    start(localstack, name)
    put(localstack, source, [json.dumps({"client": c, "status": s}).encode()
                             for c, s in [("alice", 200), ("bob", 404), ("carol", 500)]])

    bodies = collect(lambda: b"".join(objects(localstack, bucket).values()),
                     lambda body: body.count(b"\n") >= 3, what="CSV rows in S3")
    assert sorted(bodies.decode().splitlines()) == ["alice,200", "bob,404", "carol,500"]
    deliveries = collect(lambda: _lines(received), lambda lines: len(lines) >= 6, what="Lambda deliveries")
    first = sorted(json.loads(d["data"])["CLIENT"] for d in deliveries if d["retryHint"] == 0)
    retried = sorted(json.loads(d["data"])["CLIENT"] for d in deliveries if d["retryHint"] > 0)
    assert first == retried == ["alice", "bob", "carol"]


def test_states_through_start_update_and_stop(localstack):
    kda = localstack.client("kinesisanalytics")
    source, target = make_stream(localstack), make_stream(localstack)
    name = unique("kda-states")
    kda.create_application(ApplicationName=name, ApplicationCode=PASS_THROUGH, Inputs=[json_input(source, COLUMNS)],
                           Outputs=[stream_output("OUT", target)])

    def status() -> str:
        return kda.describe_application(ApplicationName=name)["ApplicationDetail"]["ApplicationStatus"]

    start(localstack, name)
    with pytest.raises(kda.exceptions.ResourceInUseException):
        kda.start_application(ApplicationName=name, InputConfigurations=[
            {"Id": "1.1", "InputStartingPositionConfiguration": {"InputStartingPosition": "NOW"}}])
    kda.update_application(ApplicationName=name, CurrentApplicationVersionId=1, ApplicationUpdate={
        "ApplicationCodeUpdate": PASS_THROUGH.replace('FROM "SOURCE_SQL_STREAM_001"',
                                                      'FROM "SOURCE_SQL_STREAM_001" WHERE "status" >= 500')})
    wait_for(lambda: status() == "RUNNING", what="RUNNING on the new code")
    detail = kda.describe_application(ApplicationName=name)["ApplicationDetail"]
    assert detail["ApplicationVersionId"] == 2 and "WHERE" in detail["ApplicationCode"]
    put(localstack, source, [json.dumps({"client": c, "status": s}).encode() for c, s in [("a", 200), ("b", 503)]])
    rows = collect(lambda: read_json(localstack, target), lambda r: len(r) >= 1, what="filtered rows")
    assert rows == [{"CLIENT": "b", "STATUS": 503}]
    kda.stop_application(ApplicationName=name)
    assert status() in ("STOPPING", "READY")
    wait_for(lambda: status() == "READY", what="READY after stop")
