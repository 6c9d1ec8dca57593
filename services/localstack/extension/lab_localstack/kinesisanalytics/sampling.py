"""DiscoverInputSchema's sample records: the lines of an S3 object, the records of a Kinesis
stream (from the requested starting position; NOW reads TRIM_HORIZON, there being nothing newer
yet), or what a Firehose delivery stream accepts during the call (up to SAMPLE_SECONDS).
S3 is read in the caller's account and region; streams in their ARN's."""
from __future__ import annotations

import time

from botocore.exceptions import ClientError

from lab_localstack.kinesisanalytics import connectors, discovery
from lab_localstack.kinesisanalytics.firehose_input import FirehoseInput, FirehoseNotReadable
from lab_localstack.kinesisanalytics.validation import invalid

SAMPLE_SECONDS = 5


def is_firehose(arn: str) -> bool:
    return arn.split(":")[2:3] == ["firehose"]


def sample(request: dict, account: str, region: str) -> list[dict]:
    """[{"Data": bytes}] to infer the schema from."""
    if request.get("S3Configuration"):
        s3 = request["S3Configuration"]
        body = connectors.clients_for(account, region).s3.get_object(
            Bucket=s3["BucketARN"].split(":::")[-1], Key=s3["FileKey"])["Body"].read()
        return [{"Data": line.encode()} for line in body.decode().splitlines() if line.strip()]
    if not request.get("ResourceARN"):
        raise invalid("Either ResourceARN or S3Configuration must be provided")
    position = (request.get("InputStartingPositionConfiguration") or {}).get("InputStartingPosition",
                                                                             "TRIM_HORIZON")
    if is_firehose(request["ResourceARN"]):      # samples what the delivery stream accepts meanwhile
        reader = FirehoseInput(request["ResourceARN"])
        try:
            reader.position()
        except (FirehoseNotReadable, ClientError) as problem:
            raise invalid(f"Cannot read the delivery stream: {problem}") from None
    else:
        reader = connectors.KinesisInput(request["ResourceARN"],
                                         position if position != "NOW" else "TRIM_HORIZON", {})
    try:
        return _poll(reader)
    finally:
        reader.close()


def _poll(reader) -> list[dict]:
    records: list[dict] = []
    deadline = time.monotonic() + SAMPLE_SECONDS
    while len(records) < discovery.MAX_RECORDS and time.monotonic() < deadline:
        polled = [r for _, _, r in reader.poll()]
        records.extend(polled)
        if not polled and records:
            break
        if not polled:
            time.sleep(0.3)
    return records
