"""The Lambda processor: AWS's event, Ok / Dropped / ProcessingFailed routing,
retries, and failed invocations (raise, timeout, malformed responses) going to
processing-failed/ in AWS's JSON format."""
from __future__ import annotations

import base64
import json
import re

import pytest

from tests.support.firehose_calls import (
    ECHO_EVENT,
    ROUTER,
    assert_powertools_accepts,
    counters,
    create_function,
    json_lines,
    make_bucket,
    objects,
    processing,
    put_lines,
    s3_destination,
    settled,
    unique,
    wait_for,
)

pytestmark = pytest.mark.localstack

RAISES = """
def lambda_handler(event, context):
    raise RuntimeError("the ETL broke")
"""

SLEEPS = """
import time
def lambda_handler(event, context):
    time.sleep(10)
    return {"records": [{"recordId": r["recordId"], "result": "Ok", "data": r["data"]} for r in event["records"]]}
"""

BAD_RESPONSES = {
    "Lambda.MissingRecordId": """
def lambda_handler(event, context):
    return {"records": [{"recordId": r["recordId"], "result": "Ok", "data": r["data"]} for r in event["records"][1:]]}
""",
    "Lambda.DuplicatedRecordId": """
def lambda_handler(event, context):
    rs = event["records"]
    return {"records": [{"recordId": rs[0]["recordId"], "result": "Ok", "data": r["data"]} for r in rs]}
""",
    "Lambda.JsonProcessingException": """
def lambda_handler(event, context):
    return {"records": [{"recordId": r["recordId"], "result": "Maybe", "data": r["data"]} for r in event["records"]]}
""",
}
NOT_BASE64 = """
def lambda_handler(event, context):
    return {"records": [{"recordId": r["recordId"], "result": "Ok", "data": "%%% not base64"} for r in event["records"]]}
"""


def s3_stream(localstack, function_arn: str, retries: int = 0, **s3_extra) -> tuple[str, str]:
    bucket, name = make_bucket(localstack), unique("fh-lambda")
    localstack.client("firehose").create_delivery_stream(
        DeliveryStreamName=name,
        ExtendedS3DestinationConfiguration=s3_destination(
            bucket, interval=0, ProcessingConfiguration=processing(function_arn, retries=retries), **s3_extra),
    )
    return bucket, name


def test_event_is_exactly_what_aws_sends(localstack):
    fn = create_function(localstack, ECHO_EVENT)
    bucket, name = s3_stream(localstack, fn)
    ids = put_lines(localstack.client("firehose"), name, [b"first\n", b"second\n"])
    wait_for(lambda: settled(localstack, name, 2), what="delivery")
    seen = json_lines(objects(localstack, bucket))
    assert [s["record"]["recordId"] for s in seen] == ids
    arn = localstack.client("firehose").describe_delivery_stream(
        DeliveryStreamName=name)["DeliveryStreamDescription"]["DeliveryStreamARN"]
    for s, raw in zip(seen, [b"first\n", b"second\n"]):
        assert_powertools_accepts(s["event"])
        assert s["event_keys"] == ["deliveryStreamArn", "invocationId", "records", "region"]
        assert s["deliveryStreamArn"] == arn and s["region"] == "us-east-1"
        assert re.fullmatch(r"[0-9a-f-]{36}", s["invocationId"])
        assert set(s["record"]) == {"recordId", "approximateArrivalTimestamp", "data"}
        assert isinstance(s["record"]["approximateArrivalTimestamp"], int)
        assert s["record"]["approximateArrivalTimestamp"] > 1_600_000_000_000  # epoch milliseconds
        assert base64.b64decode(s["record"]["data"]) == raw


def test_ok_dropped_processing_failed_routing(localstack):
    fn = create_function(localstack, ROUTER)
    bucket, name = s3_stream(localstack, fn, retries=2)
    lines = [b"keep 1\n", b"drop 1\n", b"fail 1\n", b"keep 2\n", b"drop 2\n", b"fail 2\n", b"keep 3\n"]
    put_lines(localstack.client("firehose"), name, lines)
    c = wait_for(lambda: settled(localstack, name, len(lines)), what="delivery")
    assert (c["delivered"], c["dropped"], c["processing_failed"]) == (3, 2, 2)
    assert c["lambda_invocations"] == 1, "ProcessingFailed records are not retried"
    data = objects(localstack, bucket)
    delivered = {k: v for k, v in data.items() if not k.startswith("processing-failed/")}
    assert b"".join(delivered.values()) == b"KEEP 1\nKEEP 2\nKEEP 3\n"
    failed = json_lines({k: v for k, v in data.items() if k.startswith("processing-failed/")})
    assert sorted(base64.b64decode(f["rawData"]) for f in failed) == [b"fail 1\n", b"fail 2\n"]
    for f in failed:
        assert set(f) == {"attemptsMade", "arrivalTimestamp", "errorCode", "errorMessage",
                          "attemptEndingTimestamp", "rawData", "lambdaArn"}
        assert f["errorCode"] == "Lambda.ProcessingFailedStatus" and f["attemptsMade"] == 1
        assert f["lambdaArn"] == fn and f["attemptEndingTimestamp"] >= f["arrivalTimestamp"]


def test_function_error_is_retried_then_processing_failed(localstack):
    fn = create_function(localstack, RAISES)
    bucket, name = s3_stream(localstack, fn, retries=1)
    put_lines(localstack.client("firehose"), name, [b"a\n", b"b\n"])
    c = wait_for(lambda: settled(localstack, name, 2), what="delivery")
    assert c["processing_failed"] == 2 and c["delivered"] == 0
    assert c["lambda_invocations"] == 2, "NumberOfRetries=1: one retry"
    failed = json_lines(objects(localstack, bucket, "processing-failed/"))
    assert [f["errorCode"] for f in failed] == ["Lambda.FunctionError"] * 2
    assert [f["attemptsMade"] for f in failed] == [2, 2]


def test_timeout_is_function_timed_out(localstack):
    fn = create_function(localstack, SLEEPS, timeout=1)
    bucket, name = s3_stream(localstack, fn, retries=0, ErrorOutputPrefix="errors/!{firehose:error-output-type}/")
    put_lines(localstack.client("firehose"), name, [b"slow\n"])
    wait_for(lambda: settled(localstack, name, 1), timeout=60, what="delivery")
    failed = json_lines(objects(localstack, bucket, "errors/processing-failed/"))
    assert [f["errorCode"] for f in failed] == ["Lambda.FunctionTimedOut"]
    assert base64.b64decode(failed[0]["rawData"]) == b"slow\n"


@pytest.mark.parametrize("code", sorted(BAD_RESPONSES))
def test_malformed_response_fails_the_batch_without_retry(localstack, code):
    fn = create_function(localstack, BAD_RESPONSES[code])
    bucket, name = s3_stream(localstack, fn, retries=2)
    put_lines(localstack.client("firehose"), name, [b"one\n", b"two\n", b"three\n"])
    c = wait_for(lambda: settled(localstack, name, 3), what="delivery")
    assert c["processing_failed"] == 3 and c["delivered"] == 0 and c["lambda_invocations"] == 1
    failed = json_lines(objects(localstack, bucket, "processing-failed/"))
    assert {f["errorCode"] for f in failed} == {code}
    assert sorted(base64.b64decode(f["rawData"]) for f in failed) == [b"one\n", b"three\n", b"two\n"]


def test_data_that_is_not_base64_fails_the_batch(localstack):
    fn = create_function(localstack, NOT_BASE64)
    bucket, name = s3_stream(localstack, fn)
    put_lines(localstack.client("firehose"), name, [b"x\n"])
    wait_for(lambda: settled(localstack, name, 1), what="delivery")
    failed = json_lines(objects(localstack, bucket, "processing-failed/"))
    assert [f["errorCode"] for f in failed] == ["Lambda.JsonProcessingException"]
    assert counters(localstack, name)["processing_failed"] == 1


def test_big_batch_is_split_into_invocations_of_processor_buffer_size(localstack):
    fn = create_function(localstack, ROUTER)
    bucket, name = make_bucket(localstack), unique("fh-split")
    localstack.client("firehose").create_delivery_stream(
        DeliveryStreamName=name,
        ExtendedS3DestinationConfiguration=s3_destination(
            bucket, size_mb=2, interval=1, ProcessingConfiguration=processing(fn, size_mb=0.25)))
    record = b"k" * 50_000 + b"\n"  # 20 records = 1 MB -> 4 invocations of 0.25 MB
    put_lines(localstack.client("firehose"), name, [record] * 20)
    c = wait_for(lambda: settled(localstack, name, 20), what="delivery")
    assert c["delivered"] == 20 and c["lambda_invocations"] >= 4
    assert b"".join(objects(localstack, bucket).values()) == record.upper() * 20
    json.dumps(c)
