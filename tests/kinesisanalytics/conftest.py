"""Helpers for the Kinesis Analytics (SQL) suite: Kinesis streams, an application's input and
output configurations, starting an application and reading what it wrote."""
from __future__ import annotations

import json
import uuid

from tests.support.waiting import wait_for

ROLE = "arn:aws:iam::000000000000:role/kda-lab"
ISSUE_SQL = """CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (client_ip VARCHAR(16), request_count INTEGER);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM "client_ip", COUNT(*) AS request_count
FROM "SOURCE_SQL_STREAM_001"
GROUP BY "client_ip", FLOOR(("SOURCE_SQL_STREAM_001".ROWTIME - TIMESTAMP '1970-01-01 00:00:00') SECOND / 10 TO SECOND);"""


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def make_stream(localstack, shards: int = 1) -> str:
    """A new active Kinesis stream; returns its ARN."""
    kinesis = localstack.client("kinesis")
    name = unique("kda")
    kinesis.create_stream(StreamName=name, ShardCount=shards)
    kinesis.get_waiter("stream_exists").wait(StreamName=name, WaiterConfig={"Delay": 0.5, "MaxAttempts": 60})
    return kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]


def json_input(stream_arn: str, columns: list[tuple[str, str, str]], processor_arn: str | None = None) -> dict:
    config = {
        "NamePrefix": "SOURCE_SQL_STREAM",
        "KinesisStreamsInput": {"ResourceARN": stream_arn, "RoleARN": ROLE},
        "InputParallelism": {"Count": 1},
        "InputSchema": {
            "RecordFormat": {"RecordFormatType": "JSON",
                             "MappingParameters": {"JSONMappingParameters": {"RecordRowPath": "$"}}},
            "RecordEncoding": "UTF-8",
            "RecordColumns": [{"Name": n, "Mapping": m, "SqlType": t} for n, m, t in columns],
        },
    }
    if processor_arn:
        config["InputProcessingConfiguration"] = {"InputLambdaProcessor": {"ResourceARN": processor_arn,
                                                                           "RoleARN": ROLE}}
    return config


def csv_input(stream_arn: str, columns: list[tuple[str, str]]) -> dict:
    return {
        "NamePrefix": "SOURCE_SQL_STREAM",
        "KinesisStreamsInput": {"ResourceARN": stream_arn, "RoleARN": ROLE},
        "InputSchema": {
            "RecordFormat": {"RecordFormatType": "CSV", "MappingParameters": {"CSVMappingParameters": {
                "RecordRowDelimiter": "\n", "RecordColumnDelimiter": ","}}},
            "RecordColumns": [{"Name": n, "SqlType": t} for n, t in columns],
        },
    }


def stream_output(name: str, stream_arn: str, record_format: str = "JSON") -> dict:
    return {"Name": name, "KinesisStreamsOutput": {"ResourceARN": stream_arn, "RoleARN": ROLE},
            "DestinationSchema": {"RecordFormatType": record_format}}


def start(localstack, name: str, position: str = "NOW", timeout: float = 30) -> None:
    kda = localstack.client("kinesisanalytics")
    input_id = kda.describe_application(ApplicationName=name)["ApplicationDetail"]["InputDescriptions"][0]["InputId"]
    kda.start_application(ApplicationName=name, InputConfigurations=[
        {"Id": input_id, "InputStartingPositionConfiguration": {"InputStartingPosition": position}}])
    wait_for(lambda: kda.describe_application(ApplicationName=name)["ApplicationDetail"]["ApplicationStatus"]
             == "RUNNING", timeout=timeout, what=f"application {name} RUNNING")


def put(localstack, stream_arn: str, payloads: list[bytes]) -> None:
    kinesis = localstack.client("kinesis")
    for start_at in range(0, len(payloads), 500):
        chunk = payloads[start_at:start_at + 500]
        response = kinesis.put_records(StreamARN=stream_arn, Records=[
            {"Data": p, "PartitionKey": uuid.uuid4().hex} for p in chunk])
        assert response["FailedRecordCount"] == 0


def read_all(localstack, stream_arn: str) -> list[dict]:
    """Every record of a one-shard stream: {"data", "arrival"} (arrival in epoch seconds)."""
    kinesis = localstack.client("kinesis")
    shard = kinesis.list_shards(StreamARN=stream_arn)["Shards"][0]["ShardId"]
    iterator = kinesis.get_shard_iterator(StreamARN=stream_arn, ShardId=shard,
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    out = []
    while iterator:
        response = kinesis.get_records(ShardIterator=iterator, StreamARN=stream_arn)
        out += [{"data": r["Data"], "arrival": r["ApproximateArrivalTimestamp"].timestamp()}
                for r in response["Records"]]
        if not response["Records"]:
            break
        iterator = response.get("NextShardIterator")
    return out


def read_json(localstack, stream_arn: str) -> list[dict]:
    return [json.loads(r["data"]) for r in read_all(localstack, stream_arn)]


def collect(fetch, done, what: str, timeout: float = 60):
    """fetch() again until done(result) holds; the result (AssertionError naming `what` otherwise)."""
    def attempt():
        result = fetch()
        return result if done(result) else None
    return wait_for(attempt, timeout=timeout, what=what)
