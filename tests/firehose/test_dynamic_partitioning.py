"""Dynamic partitioning through boto3, as an attendee would configure it: AWS's validation,
keys from a jq query (MetadataExtraction) and from a Lambda's metadata.partitionKeys,
RecordDeAggregation, AppendDelimiterToRecord, failed extraction to the error output,
and the active-partition limit."""
from __future__ import annotations

import base64
import json
import re
from collections import Counter

import pytest
from botocore.exceptions import ClientError

from tests.support.firehose_calls import (
    LAKE_ACTIVE_PARTITIONS,
    create_function,
    json_lines,
    lake_destination,
    make_bucket,
    objects,
    processors,
    put_lines,
    settled,
    unique,
    wait_for,
)

pytestmark = pytest.mark.localstack

QUERY = ("MetadataExtraction", {"MetadataExtractionQuery": "{customer_id: .customer_id, device: .type.device}",
                                "JsonParsingEngine": "JQ-1.6"})
NEWLINE = ("AppendDelimiterToRecord", {})
OBJECT_NAME = r"[^/]+-1-\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}-[0-9a-f-]{36}"


def create(localstack, name: str, destination: dict) -> None:
    localstack.client("firehose").create_delivery_stream(
        DeliveryStreamName=name, ExtendedS3DestinationConfiguration=destination)


@pytest.mark.parametrize("change, message", [
    ({"ErrorOutputPrefix": ""}, "ErrorOutputPrefix cannot be null or empty"),
    ({"Prefix": "static/"}, "Prefix must contain at least one partitionKeyFromQuery"),
    ({"BufferingHints": {"SizeInMBs": 5, "IntervalInSeconds": 60}}, "SizeInMBs must be at least 64"),
    ({"BufferingHints": {"SizeInMBs": 64, "IntervalInSeconds": 0}}, "IntervalInSeconds must be at least 60"),
    ({"Prefix": "!{partitionKeyFromLambda:x}/"}, "no Lambda processor is configured"),
    ({"ProcessingConfiguration": processors(("MetadataExtraction", {
        "MetadataExtractionQuery": "{a: .a", "JsonParsingEngine": "JQ-1.6"}))}, "not a valid jq query"),
    ({"DynamicPartitioningConfiguration": {"Enabled": True, "RetryOptions": {"DurationInSeconds": 7201}}},
     "between 0 and 7200"),
])
def test_aws_rules_are_enforced(lake_localstack, change, message):
    destination = lake_destination("any-bucket", "!{partitionKeyFromQuery:customer_id}/",
                                   DynamicPartitioningConfiguration={"Enabled": True},
                                   ProcessingConfiguration=processors(QUERY))
    destination.update(change)
    with pytest.raises(ClientError) as caught:
        create(lake_localstack, unique("fh-dp-bad"), destination)
    error = caught.value.response["Error"]
    assert error["Code"] in ("InvalidArgumentException", "ValidationException")
    assert message in error["Message"]


def test_keys_in_prefix_need_dynamic_partitioning_and_it_cannot_be_enabled_later(lake_localstack):
    firehose = lake_localstack.client("firehose")
    with pytest.raises(ClientError, match="when dynamic partitioning is not enabled"):
        create(lake_localstack, unique("fh-dp-off"), lake_destination("b", "!{partitionKeyFromQuery:k}/",
                                                                       ProcessingConfiguration=processors(QUERY)))
    name = unique("fh-dp-later")
    create(lake_localstack, name, lake_destination(make_bucket(lake_localstack), "plain/"))
    with pytest.raises(ClientError, match="cannot be enabled on an existing delivery stream"):
        firehose.update_destination(
            DeliveryStreamName=name, CurrentDeliveryStreamVersionId="1", DestinationId="destinationId-000000000001",
            ExtendedS3DestinationUpdate={"Prefix": "!{partitionKeyFromQuery:customer_id}/",
                                         "DynamicPartitioningConfiguration": {"Enabled": True},
                                         "ProcessingConfiguration": processors(QUERY)})


def test_describe_shows_aws_defaults(lake_localstack):
    name = unique("fh-dp-desc")
    create(lake_localstack, name, {
        "RoleARN": "arn:aws:iam::000000000000:role/r", "BucketARN": "arn:aws:s3:::b",
        "Prefix": "!{partitionKeyFromQuery:customer_id}/", "ErrorOutputPrefix": "errors/",
        "DynamicPartitioningConfiguration": {"Enabled": True}, "ProcessingConfiguration": processors(QUERY)})
    destination = lake_localstack.client("firehose").describe_delivery_stream(DeliveryStreamName=name)[
        "DeliveryStreamDescription"]["Destinations"][0]["ExtendedS3DestinationDescription"]
    assert destination["BufferingHints"] == {"SizeInMBs": 128, "IntervalInSeconds": 300}
    assert destination["DynamicPartitioningConfiguration"] == {
        "Enabled": True, "RetryOptions": {"DurationInSeconds": 300}}


def test_jq_keys_partition_objects_and_failures_go_to_the_error_output(lake_localstack):
    bucket, name = make_bucket(lake_localstack), unique("fh-dp-jq")
    create(lake_localstack, name, lake_destination(
        bucket, "customers/!{partitionKeyFromQuery:customer_id}/!{partitionKeyFromQuery:device}/!{timestamp:yyyy}/",
        DynamicPartitioningConfiguration={"Enabled": True}, ProcessingConfiguration=processors(QUERY, NEWLINE)))
    devices = ("mobile", "desktop", "tablet")   # 3 partitions: this LocalStack's active-partition quota
    records = [{"customer_id": str(1000 + i % 3), "type": {"device": devices[i % 3]}, "n": i} for i in range(60)]
    bad = [b"not json at all", json.dumps({"customer_id": None, "type": {"device": "mobile"}}).encode(),
           json.dumps({"type": {"device": "mobile"}}).encode()]
    put_lines(lake_localstack.client("firehose"), name, [json.dumps(r).encode() for r in records] + bad)
    counts = wait_for(lambda: settled(lake_localstack, name, len(records) + len(bad)), timeout=60,
                      what="the partitioned delivery")
    assert counts["delivered"] == 60 and counts["partitioning_failed"] == 3
    assert counts["received"] == counts["delivered"] + counts["partitioning_failed"]

    delivered = objects(lake_localstack, bucket, "customers/")
    by_partition: dict[tuple, list[dict]] = {}
    for key, body in delivered.items():
        match = re.fullmatch(r"customers/(\d+)/(\w+)/(\d{4})/" + OBJECT_NAME, key)
        assert match, key
        assert body.endswith(b"\n"), "AppendDelimiterToRecord adds a newline after each record"
        by_partition.setdefault(match.groups()[:2], []).extend(json.loads(line) for line in body.splitlines())
    expected = Counter((r["customer_id"], r["type"]["device"]) for r in records)
    assert {k: len(v) for k, v in by_partition.items()} == dict(expected), "one object per evaluated prefix"
    assert sorted(r["n"] for rows in by_partition.values() for r in rows) == list(range(60))

    errors = objects(lake_localstack, bucket, "errors/")
    assert all(k.startswith("errors/metadata-extraction-failed/") for k in errors), list(errors)
    failed = json_lines(errors)
    assert {f["errorCode"] for f in failed} == {"DynamicPartitioning.MetadataExtractionFailed"}
    assert sorted(base64.b64decode(f["rawData"]) for f in failed) == sorted(bad)
    assert "Non JSON record provided" in {f["errorMessage"] for f in failed}
    assert set(failed[0]) == {"attemptsMade", "arrivalTimestamp", "errorCode", "errorMessage",
                              "attemptEndingTimestamp", "rawData"}


LAMBDA_KEYS = """
import base64, json
def lambda_handler(event, context):
    out = []
    for r in event["records"]:
        doc = json.loads(base64.b64decode(r["data"]))
        doc["seen"] = True
        out.append({"recordId": r["recordId"], "result": "Ok",
                    "data": base64.b64encode(json.dumps(doc).encode()).decode(),
                    "metadata": {"partitionKeys": {"kind": doc["kind"]}}})
    return {"records": out}
"""


def test_lambda_partition_keys_after_json_deaggregation(lake_localstack):
    bucket, name = make_bucket(lake_localstack), unique("fh-dp-lambda")
    function_arn = create_function(lake_localstack, LAMBDA_KEYS)
    create(lake_localstack, name, lake_destination(
        bucket, "kind=!{partitionKeyFromLambda:kind}/",
        DynamicPartitioningConfiguration={"Enabled": True},
        ProcessingConfiguration=processors(
            ("RecordDeAggregation", {"SubRecordType": "JSON"}),
            ("Lambda", {"LambdaArn": function_arn, "NumberOfRetries": "0"}), NEWLINE)))
    # 10 records, each aggregating 3 JSON objects
    aggregated = [b"".join(json.dumps({"kind": kind, "i": i}).encode() for kind in ("click", "view", "buy"))
                  for i in range(10)]
    put_lines(lake_localstack.client("firehose"), name, aggregated)
    counts = wait_for(lambda: (c := settled(lake_localstack, name, 10)) and c["delivered"] == 30 and c,
                      timeout=60, what="30 de-aggregated records delivered")
    assert counts["deaggregated"] == 20
    delivered = objects(lake_localstack, bucket)
    assert {k.split("/")[0] for k in delivered} == {"kind=click", "kind=view", "kind=buy"}
    for key, body in delivered.items():
        docs = [json.loads(line) for line in body.splitlines()]
        assert {d["kind"] for d in docs} == {key.split("/")[0][5:]} and all(d["seen"] for d in docs)
        assert sorted(d["i"] for d in docs) == list(range(10))


def test_records_past_the_active_partition_limit_go_to_the_error_output(lake_localstack):
    bucket, name = make_bucket(lake_localstack), unique("fh-dp-limit")
    create(lake_localstack, name, lake_destination(
        bucket, "c/!{partitionKeyFromQuery:customer_id}/", DynamicPartitioningConfiguration={"Enabled": True},
        ProcessingConfiguration=processors(QUERY)))
    customers = [str(c) for c in range(LAKE_ACTIVE_PARTITIONS + 2)]
    lines = [json.dumps({"customer_id": c, "type": {"device": "d"}}).encode() for c in customers for _ in range(4)]
    put_lines(lake_localstack.client("firehose"), name, lines)
    counts = wait_for(lambda: settled(lake_localstack, name, len(lines)), timeout=60)
    assert counts["delivered"] == 4 * LAKE_ACTIVE_PARTITIONS and counts["partitioning_failed"] == 8
    assert {k.split("/")[1] for k in objects(lake_localstack, bucket, "c/")} == set(customers[:LAKE_ACTIVE_PARTITIONS])
    failed = json_lines(objects(lake_localstack, bucket, "errors/activePartitionExceeded/"))
    assert len(failed) == 8
    assert {json.loads(base64.b64decode(f["rawData"]))["customer_id"] for f in failed} == set(customers[-2:])
    assert {f["errorCode"] for f in failed} == {"DynamicPartitioning.ActivePartitionsLimitExceeded"}


def test_append_delimiter_without_partitioning_and_delimited_deaggregation(lake_localstack):
    bucket, name = make_bucket(lake_localstack), unique("fh-delim")
    create(lake_localstack, name, lake_destination(
        bucket, "plain/", size_mb=1, interval=0, ProcessingConfiguration=processors(
            ("RecordDeAggregation", {"SubRecordType": "DELIMITED", "Delimiter": "IyMjIw=="}),   # "####"
            ("AppendDelimiterToRecord", {"Delimiter": "fA=="}))))                              # "|"
    put_lines(lake_localstack.client("firehose"), name, [b"a####b####c", b"d"])
    counts = wait_for(lambda: (c := settled(lake_localstack, name, 2)) and c["delivered"] == 4 and c, timeout=30)
    assert counts["deaggregated"] == 2
    assert b"".join(objects(lake_localstack, bucket, "plain/").values()) == b"a|b|c|d|"


def test_update_cannot_shrink_a_partitioned_streams_buffer(lake_localstack):
    firehose, name = lake_localstack.client("firehose"), unique("fh-dp-upd")
    create(lake_localstack, name, lake_destination(
        make_bucket(lake_localstack), "k=!{partitionKeyFromQuery:customer_id}/",
        DynamicPartitioningConfiguration={"Enabled": True}, ProcessingConfiguration=processors(QUERY)))
    with pytest.raises(ClientError, match="SizeInMBs must be at least 64"):
        firehose.update_destination(
            DeliveryStreamName=name, CurrentDeliveryStreamVersionId="1", DestinationId="destinationId-000000000001",
            ExtendedS3DestinationUpdate={"BufferingHints": {"SizeInMBs": 5}})
    firehose.update_destination(
        DeliveryStreamName=name, CurrentDeliveryStreamVersionId="1", DestinationId="destinationId-000000000001",
        ExtendedS3DestinationUpdate={"BufferingHints": {"SizeInMBs": 96}})
    described = firehose.describe_delivery_stream(DeliveryStreamName=name)["DeliveryStreamDescription"]
    assert described["VersionId"] == "2"
    assert described["Destinations"][0]["ExtendedS3DestinationDescription"]["BufferingHints"]["SizeInMBs"] == 96
