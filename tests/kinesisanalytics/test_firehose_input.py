"""A Firehose delivery stream as the application's input (KinesisFirehoseInput): records put
to a Direct PUT stream reach the application (the issue's SQL counts them per client and
10 s window, equal to an independent count) while Firehose still delivers every one of them
to its own destination; a pre-processing Lambda gets AWS's Firehose-input event; a missing
delivery stream is refused at StartApplication; DiscoverInputSchema samples the records the
delivery stream receives during the call."""
from __future__ import annotations

import base64
import json
import random
import threading
from collections import Counter

import pytest

from tests.kinesisanalytics.conftest import (
    ISSUE_SQL,
    ROLE,
    collect,
    json_input,
    make_stream,
    read_all,
    read_json,
    start,
    stream_output,
    unique,
)
from tests.kinesisanalytics.test_issue_sql import SCHEMA, WINDOW_S, send_windows
from tests.support.firehose_calls import create_function, make_bucket, objects, s3_destination

pytestmark = pytest.mark.localstack


def firehose_input(delivery_arn: str, columns, processor_arn: str | None = None) -> dict:
    config = json_input("unused", columns, processor_arn)
    del config["KinesisStreamsInput"]
    config["KinesisFirehoseInput"] = {"ResourceARN": delivery_arn, "RoleARN": ROLE}
    return config


def direct_put_stream(localstack) -> tuple[str, str, str]:
    """A Direct PUT delivery stream to a new bucket: (name, ARN, bucket)."""
    firehose, bucket, name = localstack.client("firehose"), make_bucket(localstack), unique("kda-in")
    firehose.create_delivery_stream(DeliveryStreamName=name, DeliveryStreamType="DirectPut",
                                    ExtendedS3DestinationConfiguration=s3_destination(bucket))
    arn = firehose.describe_delivery_stream(DeliveryStreamName=name)["DeliveryStreamDescription"]["DeliveryStreamARN"]
    return name, arn, bucket


def put_batch(localstack, name: str, payloads: list[bytes]) -> None:
    firehose = localstack.client("firehose")
    for at in range(0, len(payloads), 500):
        response = firehose.put_record_batch(DeliveryStreamName=name,
                                             Records=[{"Data": p + b"\n"} for p in payloads[at:at + 500]])
        assert response["FailedPutCount"] == 0


def test_records_put_to_the_delivery_stream_are_counted_per_client_and_window(localstack):
    delivery, delivery_arn, bucket = direct_put_stream(localstack)
    target, name = make_stream(localstack), unique("kda-firehose")
    kda = localstack.client("kinesisanalytics")
    kda.create_application(ApplicationName=name, ApplicationCode=ISSUE_SQL,
                           Inputs=[firehose_input(delivery_arn, SCHEMA)],
                           Outputs=[stream_output("DESTINATION_SQL_STREAM", target)])
    detail = kda.describe_application(ApplicationName=name)["ApplicationDetail"]
    assert detail["InputDescriptions"][0]["KinesisFirehoseInputDescription"]["ResourceARN"] == delivery_arn
    start(localstack, name)

    sent = send_windows(lambda payloads: put_batch(localstack, delivery, payloads), random.Random(17), 2, 30)
    outputs = collect(lambda: read_all(localstack, target), lambda got: len(got) >= len(sent), timeout=60,
                      what="one row per client and window")
    received = Counter()
    for record in outputs:
        row = json.loads(record["data"])
        received[(int(record["arrival"] // WINDOW_S) - 1, row["CLIENT_IP"])] += row["REQUEST_COUNT"]
    kda.stop_application(ApplicationName=name)
    assert received == sent

    # Firehose's own delivery is unchanged: every record is in its bucket.
    total = sum(sent.values())
    lines = collect(lambda: b"".join(objects(localstack, bucket).values()).splitlines(),
                    lambda got: len(got) >= total, what="every record delivered to S3")
    assert Counter(json.loads(line)["client_ip"][:16] for line in lines) == Counter(
        client for (_, client), n in sent.items() for _ in range(n))


# Records the event it was given to a file on this host (the lab runs Lambdas as host processes).
PREPROCESSOR = """
import base64, json

def lambda_handler(event, context):
    with open(%r, "a") as log:
        log.write(json.dumps(event) + "\\n")
    return {"records": [{"recordId": r["recordId"], "result": "Ok", "data": r["data"]} for r in event["records"]]}
"""


def test_a_preprocessor_gets_the_firehose_input_event(localstack, tmp_path):
    delivery, delivery_arn, _ = direct_put_stream(localstack)
    target, name = make_stream(localstack), unique("kda-firehose-pre")
    events = tmp_path / "events.jsonl"
    function = create_function(localstack, PREPROCESSOR % str(events), name=unique("kda-pre"))
    code = """
    CREATE OR REPLACE STREAM "OUT" (client VARCHAR(16), status INTEGER);
    CREATE OR REPLACE PUMP "P" AS INSERT INTO "OUT" SELECT STREAM "client", "status" FROM "SOURCE_SQL_STREAM_001";
    """
    kda = localstack.client("kinesisanalytics")
    kda.create_application(ApplicationName=name, ApplicationCode=code, Inputs=[firehose_input(
        delivery_arn, [("client", "$.client", "VARCHAR(16)"), ("status", "$.status", "INTEGER")], function)],
        Outputs=[stream_output("OUT", target)])
    start(localstack, name)
    put_batch(localstack, delivery, [json.dumps({"client": c, "status": s}).encode()
                                     for c, s in [("alice", 200), ("bob", 404)]])
    rows = collect(lambda: read_json(localstack, target), lambda got: len(got) >= 2, what="pre-processed rows")
    assert sorted((r["CLIENT"], r["STATUS"]) for r in rows) == [("alice", 200), ("bob", 404)]
    kda.stop_application(ApplicationName=name)

    seen = [json.loads(line) for line in events.read_text().splitlines()]
    assert {e["streamArn"] for e in seen} == {delivery_arn}
    assert all(e["applicationArn"].endswith(f":application/{name}") for e in seen)
    records = [r for e in seen for r in e["records"]]
    assert len(records) == 2
    for record in records:
        assert set(record) == {"recordId", "kinesisFirehoseRecordMetadata", "data"}
        assert isinstance(record["kinesisFirehoseRecordMetadata"]["approximateArrivalTimestamp"], int)
        assert json.loads(base64.b64decode(record["data"]))["client"] in ("alice", "bob")


def test_a_missing_delivery_stream_is_refused_at_start(localstack):
    name = unique("kda-firehose-missing")
    missing = f"arn:aws:firehose:us-east-1:000000000000:deliverystream/{unique('nowhere')}"
    kda = localstack.client("kinesisanalytics")
    kda.create_application(ApplicationName=name, ApplicationCode=ISSUE_SQL,
                           Inputs=[firehose_input(missing, SCHEMA)],
                           Outputs=[stream_output("DESTINATION_SQL_STREAM", make_stream(localstack))])
    input_id = kda.describe_application(ApplicationName=name)["ApplicationDetail"]["InputDescriptions"][0]["InputId"]
    with pytest.raises(kda.exceptions.InvalidApplicationConfigurationException, match="Cannot read the input"):
        kda.start_application(ApplicationName=name, InputConfigurations=[
            {"Id": input_id, "InputStartingPositionConfiguration": {"InputStartingPosition": "NOW"}}])
    assert kda.describe_application(ApplicationName=name)["ApplicationDetail"]["ApplicationStatus"] == "READY"


def test_discover_input_schema_samples_what_the_delivery_stream_receives(localstack):
    delivery, delivery_arn, _ = direct_put_stream(localstack)
    stop = threading.Event()

    def keep_putting():
        while not stop.wait(0.3):
            put_batch(localstack, delivery, [json.dumps({"client_ip": "192.168.100.200", "status": 200}).encode()])

    producer = threading.Thread(target=keep_putting, daemon=True)
    producer.start()
    try:
        discovered = localstack.client("kinesisanalytics").discover_input_schema(
            ResourceARN=delivery_arn, RoleARN=ROLE,
            InputStartingPositionConfiguration={"InputStartingPosition": "NOW"})
    finally:
        stop.set()
        producer.join(5)
    columns = {c["Name"]: (c["Mapping"], c["SqlType"]) for c in discovered["InputSchema"]["RecordColumns"]}
    assert columns == {"client_ip": ("$.client_ip", "VARCHAR(16)"), "status": ("$.status", "INTEGER")}
    assert discovered["ParsedInputRecords"][0] == ["192.168.100.200", "200"]
