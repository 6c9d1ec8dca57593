"""OpenSearch / Elasticsearch delivery through _bulk to real OpenSearch (the shared node):
index rotation, RetryDuration with the server down for less and for more than
it, per-document failures, both S3 backup modes, and every record accounted
for exactly once across the index, the S3 outputs and the dropped counter."""
from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest

from tests.support.firehose_calls import (
    LAMBDA_ROLE,
    ROUTER,
    counters,
    create_function,
    indexed,
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

pytestmark = [pytest.mark.localstack, pytest.mark.opensearch]

FAILED_KEYS = {"attemptsMade", "arrivalTimestamp", "errorCode", "errorMessage", "attemptEndingTimestamp",
               "esDocumentId", "esIndexName", "esTypeName", "rawData"}


def search_config(opensearch_server, bucket: str, index: str, *, rotation="NoRotation", retry=5, backup="FailedDocumentsOnly",
                  interval=0, function_arn=None, type_name=None, prefix="apache_") -> dict:
    config = {
        "RoleARN": LAMBDA_ROLE, "ClusterEndpoint": opensearch_server.url, "IndexName": index,
        "IndexRotationPeriod": rotation, "RetryOptions": {"DurationInSeconds": retry},
        "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": interval},
        "S3BackupMode": backup, "S3Configuration": s3_destination(bucket, Prefix=prefix),
    }
    if function_arn:
        config["ProcessingConfiguration"] = processing(function_arn)
    if type_name:
        config["TypeName"] = type_name
    return config


def docs(n: int, tag: str) -> list[bytes]:
    return [json.dumps({"n": i, "tag": tag}).encode() + b"\n" for i in range(n)]


def expected_names(base: str, when: datetime) -> dict[str, str]:
    # Written out independently of the provider: the AWS names for each period.
    first_sunday_week = when.strftime("%U")
    return {
        "NoRotation": base,
        "OneHour": f"{base}-{when:%Y-%m-%d-%H}",
        "OneDay": f"{base}-{when:%Y-%m-%d}",
        "OneWeek": f"{base}-{when:%Y}-w{first_sunday_week}",
        "OneMonth": f"{base}-{when:%Y-%m}",
    }


@pytest.mark.parametrize("rotation", ["NoRotation", "OneHour", "OneDay", "OneWeek", "OneMonth"])
def test_index_rotation(localstack, opensearch_server, rotation):
    firehose = localstack.client("firehose")
    bucket, name, base = make_bucket(localstack), unique("fh-rot"), unique("rot")
    firehose.create_delivery_stream(DeliveryStreamName=name,
                                    AmazonopensearchserviceDestinationConfiguration=search_config(
                                        opensearch_server, bucket, base, rotation=rotation))
    before = datetime.now(UTC)
    put_lines(firehose, name, docs(5, rotation))
    after = datetime.now(UTC)
    wait_for(lambda: settled(localstack, name, 5), what="delivery")
    candidates = {expected_names(base, before)[rotation], expected_names(base, after)[rotation]}
    assert sum(indexed(opensearch_server, index) for index in candidates) == 5, candidates


def test_week_names_start_on_sunday():
    # 2016-02-25 (a Thursday) is in week 08 when weeks start on Sunday (AWS's example).
    assert expected_names("apache", datetime(2016, 2, 25, 13))["OneWeek"] == "apache-2016-w08"
    sunday = datetime(2016, 2, 21)
    assert expected_names("a", sunday)["OneWeek"] == expected_names("a", sunday + timedelta(days=6))["OneWeek"]


def test_server_down_shorter_than_retry_duration(localstack, opensearch_server):
    firehose = localstack.client("firehose")
    bucket, name, index = make_bucket(localstack), unique("fh-blip"), unique("blip")
    firehose.create_delivery_stream(DeliveryStreamName=name,
                                    AmazonopensearchserviceDestinationConfiguration=search_config(
                                        opensearch_server, bucket, index, retry=300))
    # the outage lasts the JVM's restart (tens of seconds on a loaded machine): within 300 s
    opensearch_server.stop()
    try:
        put_lines(firehose, name, docs(20, "blip"))
        wait_for(lambda: counters(localstack, name)["delivery_retries"] >= 1, timeout=30, what="a retry")
    finally:
        opensearch_server.start()
    c = wait_for(lambda: settled(localstack, name, 20), timeout=180, what="delivery after the outage")
    assert c["delivered"] == 20 and c["delivery_failed"] == 0
    assert indexed(opensearch_server, index) == 20
    assert not objects(localstack, bucket, "apache_AmazonOpenSearchService-failed/")


def test_server_down_longer_than_retry_duration(localstack, opensearch_server):
    firehose = localstack.client("firehose")
    bucket, name, index = make_bucket(localstack), unique("fh-down"), unique("down")
    firehose.create_delivery_stream(DeliveryStreamName=name,
                                    AmazonopensearchserviceDestinationConfiguration=search_config(
                                        opensearch_server, bucket, index, retry=2))
    opensearch_server.stop()
    try:
        lines = docs(10, "down")
        put_lines(firehose, name, lines)
        c = wait_for(lambda: settled(localstack, name, 10), timeout=60, what="failed documents")
    finally:
        opensearch_server.start()
    assert c["delivery_failed"] == 10 and c["delivered"] == 0
    failed = json_lines(objects(localstack, bucket, "apache_AmazonOpenSearchService-failed/"))
    assert len(failed) == 10
    for f in failed:
        assert set(f) == FAILED_KEYS
        assert f["esIndexName"] == index and f["esDocumentId"] and f["attemptsMade"] >= 2
        assert f["attemptEndingTimestamp"] - f["arrivalTimestamp"] >= 2000, "retried for RetryDuration"
    assert sorted(base64.b64decode(f["rawData"]) for f in failed) == sorted(lines)


def test_rejected_documents_go_to_failed_prefix(localstack, opensearch_server):
    firehose = localstack.client("firehose")
    bucket, name, index = make_bucket(localstack), unique("fh-map"), unique("map")
    opensearch_server.client().indices.create(index=index, body={"mappings": {"properties": {"n": {"type": "integer"}}}})
    firehose.create_delivery_stream(DeliveryStreamName=name,
                                    AmazonopensearchserviceDestinationConfiguration=search_config(
                                        opensearch_server, bucket, index, retry=1))
    put_lines(firehose, name, [b'{"n": 1}\n', b'{"n": "not a number"}\n', b'{"n": 3}\n'])
    c = wait_for(lambda: settled(localstack, name, 3), what="delivery")
    assert (c["delivered"], c["delivery_failed"]) == (2, 1)
    assert indexed(opensearch_server, index) == 2
    (failed,) = json_lines(objects(localstack, bucket, "apache_AmazonOpenSearchService-failed/"))
    assert failed["errorCode"] == "400" and "mapper_parsing_exception" in failed["errorMessage"]
    assert json.loads(base64.b64decode(failed["rawData"])) == {"n": "not a number"}


@pytest.mark.parametrize("backup", ["AllDocuments", "FailedDocumentsOnly"])
def test_backup_modes_and_exact_accounting(localstack, opensearch_server, backup):
    firehose = localstack.client("firehose")
    fn = create_function(localstack, ROUTER)
    bucket, name, index = make_bucket(localstack), unique("fh-bak"), unique("bak")
    opensearch_server.client().indices.create(index=index, body={"mappings": {"properties": {"N": {"type": "integer"}}}})
    firehose.create_delivery_stream(DeliveryStreamName=name,
                                    AmazonopensearchserviceDestinationConfiguration=search_config(
                                        opensearch_server, bucket, index, retry=1, backup=backup, function_arn=fn))
    # ROUTER upper-cases Ok records: {"n": 1} becomes {"N": 1}; "x" makes N not an integer.
    lines = ([b'{"n": %d}\n' % i for i in range(6)] + [b'{"n": "x"}\n']
             + [b"drop me\n"] * 2 + [b"fail me\n"] * 3)
    put_lines(firehose, name, lines)
    c = wait_for(lambda: settled(localstack, name, len(lines)), what="delivery")
    in_index = indexed(opensearch_server, index)
    failed_docs = json_lines(objects(localstack, bucket, "apache_AmazonOpenSearchService-failed/"))
    processing_failed = json_lines(objects(localstack, bucket, "processing-failed/"))
    assert (in_index, len(failed_docs), len(processing_failed), c["dropped"]) == (6, 1, 3, 2)
    assert in_index + len(failed_docs) + len(processing_failed) + c["dropped"] == len(lines)
    assert (c["delivered"], c["delivery_failed"], c["processing_failed"]) == (6, 1, 3)
    backed_up = {k: v for k, v in objects(localstack, bucket, "apache_").items()
                 if "AmazonOpenSearchService-failed" not in k}
    if backup == "AllDocuments":
        # The backup holds every document sent to the index: the transformed (Ok) records.
        assert b"".join(backed_up.values()) == b"".join(line.upper() for line in lines[:7])
    else:
        assert backed_up == {}


def test_elasticsearch_destination_uses_elasticsearch_failed(localstack, opensearch_server):
    firehose = localstack.client("firehose")
    bucket, name, index = make_bucket(localstack), unique("fh-es"), unique("es")
    config = search_config(opensearch_server, bucket, index, retry=0, type_name="clickstream")
    opensearch_server.client().indices.create(index=index, body={"mappings": {"properties": {"n": {"type": "integer"}}}})
    firehose.create_delivery_stream(DeliveryStreamName=name, ElasticsearchDestinationConfiguration=config)
    put_lines(firehose, name, [b'{"n": 1}\n', b'{"n": "bad"}\n'])
    c = wait_for(lambda: settled(localstack, name, 2), what="delivery")
    assert (c["delivered"], c["delivery_failed"]) == (1, 1)
    (failed,) = json_lines(objects(localstack, bucket, "apache_elasticsearch-failed/"))
    assert failed["esTypeName"] == "clickstream" and failed["attemptsMade"] == 1


def test_domain_arn_resolved_through_lab_opensearch_endpoints(localstack_factory, opensearch_server):
    instance = localstack_factory(extra_env={"LAB_OPENSEARCH_ENDPOINTS": json.dumps({"clickstream": opensearch_server.url})})
    firehose = instance.client("firehose")
    bucket, name, index = make_bucket(instance), unique("fh-arn"), unique("arn")
    config = search_config(opensearch_server, bucket, index)
    del config["ClusterEndpoint"]
    config["DomainARN"] = "arn:aws:es:us-east-1:000000000000:domain/clickstream"
    firehose.create_delivery_stream(DeliveryStreamName=name, AmazonopensearchserviceDestinationConfiguration=config)
    put_lines(firehose, name, docs(3, "arn"))
    wait_for(lambda: settled(instance, name, 3), what="delivery")
    assert indexed(opensearch_server, index) == 3
