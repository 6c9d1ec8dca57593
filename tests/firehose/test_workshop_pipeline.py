"""End to end with the real ETL: Direct PUT -> apache_ETL -> OpenSearch index
`apache` (type clickstream, no rotation) with the AllDocuments backup under
`apache_`, as the workshop configures webserver_stream. Every line is accounted
for exactly once across the index, processing-failed/ and the dropped counter."""
from __future__ import annotations

import subprocess
import sys

import pytest

from tests.support.firehose_calls import (
    LAMBDA_ROLE,
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

LINES = 400


@pytest.fixture(scope="module")
def etl_zip(tmp_path_factory) -> bytes:
    output = tmp_path_factory.mktemp("etl") / "apache_ETL.zip"
    subprocess.run([sys.executable, "-m", "etl.package", "--output", str(output)], check=True)
    return output.read_bytes()


def test_workshop_stream_with_real_etl(localstack, opensearch_server, test_data, etl_zip):
    lambda_client, firehose = localstack.client("lambda"), localstack.client("firehose")
    function = unique("apache_ETL")
    fn = lambda_client.create_function(FunctionName=function, Runtime="python3.13", Role=LAMBDA_ROLE,
                                       Handler="etl.handler.lambda_handler", Code={"ZipFile": etl_zip},
                                       Timeout=60)["FunctionArn"]
    lambda_client.get_waiter("function_active_v2").wait(FunctionName=function)
    bucket, name, index = make_bucket(localstack), unique("webserver_stream"), unique("apache")
    firehose.create_delivery_stream(
        DeliveryStreamName=name, DeliveryStreamType="DirectPut",
        AmazonopensearchserviceDestinationConfiguration={
            "RoleARN": LAMBDA_ROLE, "ClusterEndpoint": opensearch_server.url, "IndexName": index,
            "TypeName": "clickstream", "IndexRotationPeriod": "NoRotation",
            "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": 1},
            "RetryOptions": {"DurationInSeconds": 10}, "S3BackupMode": "AllDocuments",
            "S3Configuration": s3_destination(bucket, Prefix="apache_"),
            "ProcessingConfiguration": processing(fn + ":$LATEST", retries=3),
        },
    )
    log = (test_data / "logs" / "elastic_examples_apache_logs.log").read_bytes().splitlines(keepends=True)
    lines = log[:LINES] + [b"this is not an access log line\n", b"\n"]
    put_lines(firehose, name, lines)
    c = wait_for(lambda: settled(localstack, name, len(lines)), timeout=120, what="the pipeline")
    in_index = indexed(opensearch_server, index)
    processing_failed = json_lines(objects(localstack, bucket, "processing-failed/"))
    not_indexed = json_lines(objects(localstack, bucket, "apache_AmazonOpenSearchService-failed/"))
    assert in_index + len(processing_failed) + len(not_indexed) + c["dropped"] == len(lines)
    assert in_index == c["delivered"] >= LINES * 0.95, "the real log lines are indexed"
    assert not not_indexed
    hit = opensearch_server.client().search(index=index, body={"query": {"match_all": {}}, "size": 1})["hits"]["hits"][0]
    document = hit["_source"]
    assert {"host", "request", "response", "bytes", "@timestamp"} <= set(document)
    assert isinstance(document["response"], int)
    backup = {k: v for k, v in objects(localstack, bucket, "apache_").items()
              if "AmazonOpenSearchService-failed" not in k}
    assert b"".join(backup.values()).count(b"\n") == c["delivered"], "AllDocuments: one backup line per document"
