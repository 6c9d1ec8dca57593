"""The application's connections to other services: its Kinesis input, its Lambda
pre-processor and its outputs (Kinesis stream, Firehose or Lambda, JSON or CSV).

Input: GetRecords polling on every shard (no KCL), from the position StartApplication asked
for (NOW = LATEST, TRIM_HORIZON, LAST_STOPPED_POINT = after the last record read).
Pre-processing: AWS's event {invocationId, applicationArn, streamArn, records: [{recordId,
kinesisStreamRecordMetadata | kinesisFirehoseRecordMetadata (the input's event_metadata), data}]}; the response returns each recordId with result Ok |
Dropped | ProcessingFailed and base64 data; failures go to error_stream.
Lambda output: event {invocationId, applicationArn, records: [{recordId,
lambdaDeliveryRecordMetadata: {retryHint}, data}]}; records answered DeliveryFailed are retried.
JSON output records are one object each with no separator (as KDA writes them); CSV rows end
with a newline.
"""
from __future__ import annotations

import base64
import csv
import io
import json
import logging
import uuid
from collections.abc import Callable
from datetime import UTC

from botocore.config import Config
from localstack.aws.connect import connect_to

from lab_localstack.kinesisanalytics.error_stream import PREPROCESSING_ERROR, ErrorRow
from lab_localstack.kinesisanalytics.sql_types import to_json_value

LOG = logging.getLogger(__name__)
GET_RECORDS_LIMIT = 10000
OUTPUT_RETRIES = 3


def clients_for(account: str, region: str):
    """LocalStack's internal clients in that account and region."""
    return connect_to(aws_access_key_id=account, region_name=region,
                      config=Config(retries={"max_attempts": 2}, read_timeout=60))


def clients(arn: str):
    """The clients in the account and region of the resource an ARN names."""
    parts = arn.split(":")
    return clients_for(parts[4], parts[3])


class KinesisInput:
    """Reads one Kinesis stream; `poll()` returns [(shard index, record)]."""

    def __init__(self, stream_arn: str, position: str, checkpoints: dict[str, str]):
        self.arn = stream_arn
        self._client = clients(stream_arn).kinesis
        self._position = position
        self.checkpoints = checkpoints          # shard id -> last sequence number read
        self._iterators: dict[str, str | None] = {}

    def position(self) -> list[str]:
        """Takes an iterator on every shard now (StartApplication's NOW is the time of the call)."""
        shards = [s["ShardId"] for s in self._client.list_shards(StreamARN=self.arn)["Shards"]]
        for shard_id in shards:
            if shard_id not in self._iterators:
                self._iterators[shard_id] = self._iterator(shard_id)
        return shards

    def poll(self) -> list[tuple[int, str, dict]]:
        out = []
        for index, shard_id in enumerate(self.position()):
            iterator = self._iterators[shard_id]
            if iterator is None:
                continue
            response = self._client.get_records(ShardIterator=iterator, Limit=GET_RECORDS_LIMIT, StreamARN=self.arn)
            self._iterators[shard_id] = response.get("NextShardIterator")
            for record in response.get("Records", []):
                out.append((index, shard_id, record))
                self.checkpoints[shard_id] = record["SequenceNumber"]
        return out

    @staticmethod
    def event_metadata(shard_id: str, record: dict) -> dict:
        """The record's metadata in a pre-processing Lambda's event."""
        return {"kinesisStreamRecordMetadata": {
            "sequenceNumber": record["SequenceNumber"], "partitionKey": record["PartitionKey"],
            "shardId": shard_id,
            "approximateArrivalTimestamp": int(record["ApproximateArrivalTimestamp"].astimezone(UTC)
                                               .timestamp() * 1000)}}

    def close(self) -> None:
        """Nothing to release (GetRecords polling)."""

    def _iterator(self, shard_id: str) -> str | None:
        checkpoint = self.checkpoints.get(shard_id)
        if self._position == "LAST_STOPPED_POINT" and checkpoint:
            kwargs = {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "StartingSequenceNumber": checkpoint}
        elif self._position == "TRIM_HORIZON" or self._position == "LAST_STOPPED_POINT":
            kwargs = {"ShardIteratorType": "TRIM_HORIZON"}
        else:
            kwargs = {"ShardIteratorType": "LATEST"}
        return self._client.get_shard_iterator(StreamARN=self.arn, ShardId=shard_id, **kwargs)["ShardIterator"]


def preprocess(function_arn: str, application_arn: str, stream_arn: str,
               records: list[tuple[str, dict]],
               event_metadata: Callable[[str, dict], dict] = KinesisInput.event_metadata,
               ) -> tuple[list[tuple[dict, bytes]], list[ErrorRow]]:
    """Runs the pre-processing Lambda over (shard id, record); returns (record, new data) and errors."""
    if not records:
        return [], []
    by_id = {}
    event_records = []
    for shard_id, record in records:
        record_id = record["SequenceNumber"]
        by_id[record_id] = record
        event_records.append({"recordId": record_id, **event_metadata(shard_id, record),
                              "data": base64.b64encode(record["Data"]).decode()})
    event = {"invocationId": str(uuid.uuid4()), "applicationArn": application_arn, "streamArn": stream_arn,
             "records": event_records}
    try:
        response = clients(function_arn).lambda_.invoke(FunctionName=function_arn, Payload=json.dumps(event))
        payload = response["Payload"].read()
        if response.get("FunctionError"):
            raise RuntimeError(f"function error: {payload[:500]!r}")
        answered = json.loads(payload)["records"]
    except Exception as problem:  # noqa: BLE001 - every failure of the function is reported per record
        return [], [ErrorRow(PREPROCESSING_ERROR, f"Lambda invocation failed: {problem}", r["Data"].decode(
            "utf-8", "replace")) for r in by_id.values()]
    kept, errors = [], []
    for item in answered:
        record = by_id.get(item.get("recordId"))
        if record is None:
            continue
        result = item.get("result")
        if result == "Ok":
            kept.append((record, base64.b64decode(item.get("data", ""))))
        elif result != "Dropped":
            errors.append(ErrorRow(PREPROCESSING_ERROR, f"Lambda returned result {result}",
                                   record["Data"].decode("utf-8", "replace")))
    return kept, errors


def serialize(rows: list[dict], record_format: str) -> list[bytes]:
    if record_format == "CSV":
        out = []
        for row in rows:
            buffer = io.StringIO()
            csv.writer(buffer, lineterminator="\n").writerow(to_json_value(v) for v in row.values())
            out.append(buffer.getvalue().encode())
        return out
    return [json.dumps({k: to_json_value(v) for k, v in row.items()}, separators=(",", ":")).encode()
            for row in rows]


class Output:
    """One configured output: where the rows of an in-application stream go."""

    def __init__(self, description: dict, application_arn: str):
        self.name = description["Name"]
        self.format = description["DestinationSchema"]["RecordFormatType"]
        self.application_arn = application_arn
        self.seq = 0
        for kind in ("KinesisStreamsOutputDescription", "KinesisFirehoseOutputDescription",
                     "LambdaOutputDescription"):
            if kind in description:
                self.kind, self.arn = kind, description[kind]["ResourceARN"]
        self._clients = clients(self.arn)

    def deliver(self, rows: list[dict]) -> None:
        records = serialize(rows, self.format)
        for start in range(0, len(records), 500):
            chunk = records[start:start + 500]
            if self.kind == "KinesisStreamsOutputDescription":
                self._to_kinesis(chunk)
            elif self.kind == "KinesisFirehoseOutputDescription":
                self._clients.firehose.put_record_batch(DeliveryStreamName=self.arn.split("/")[-1],
                                                        Records=[{"Data": r} for r in chunk])
            else:
                self._to_lambda(chunk)

    def _to_kinesis(self, chunk: list[bytes]) -> None:
        pending = [{"Data": r, "PartitionKey": uuid.uuid4().hex} for r in chunk]
        for _ in range(OUTPUT_RETRIES + 1):
            response = self._clients.kinesis.put_records(StreamARN=self.arn, Records=pending)
            pending = [p for p, r in zip(pending, response["Records"]) if r.get("ErrorCode")]
            if not pending:
                return
        LOG.warning("output %s: %d records not delivered to %s", self.name, len(pending), self.arn)

    def _to_lambda(self, chunk: list[bytes]) -> None:
        pending = {str(uuid.uuid4()): r for r in chunk}
        for attempt in range(OUTPUT_RETRIES + 1):
            event = {"invocationId": str(uuid.uuid4()), "applicationArn": self.application_arn,
                     "records": [{"recordId": rid, "lambdaDeliveryRecordMetadata": {"retryHint": attempt},
                                  "data": base64.b64encode(data).decode()} for rid, data in pending.items()]}
            response = self._clients.lambda_.invoke(FunctionName=self.arn, Payload=json.dumps(event))
            try:
                answered = json.loads(response["Payload"].read())["records"]
                ok = {a["recordId"] for a in answered if a.get("result") == "Ok"}
            except (ValueError, KeyError, TypeError):
                ok = set()
            pending = {rid: data for rid, data in pending.items() if rid not in ok}
            if not pending:
                return
        LOG.warning("output %s: %d records not delivered to %s", self.name, len(pending), self.arn)
