"""A domain made by hand is a Firehose destination by its ARN alone, as in the workshop's
console step: AmazonopensearchserviceDestinationConfiguration.DomainARN (opensearch API) and
ElasticsearchDestinationConfiguration.DomainARN (es API) deliver into the lab's OpenSearch,
with no LAB_OPENSEARCH_ENDPOINTS set."""
from __future__ import annotations

import json
import uuid

import pytest

from tests.support.firehose_calls import (
    LAMBDA_ROLE,
    indexed,
    make_bucket,
    put_lines,
    s3_destination,
)
from tests.support.waiting import wait_for

pytestmark = [pytest.mark.localstack, pytest.mark.opensearch]


def destination(domain_arn: str, bucket: str, index: str) -> dict:
    return {"RoleARN": LAMBDA_ROLE, "DomainARN": domain_arn, "IndexName": index, "IndexRotationPeriod": "NoRotation",
            "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": 0}, "RetryOptions": {"DurationInSeconds": 5},
            "S3BackupMode": "FailedDocumentsOnly", "S3Configuration": s3_destination(bucket)}


@pytest.mark.parametrize("api", ["opensearch", "es"])
def test_domain_arn_delivers_to_the_labs_opensearch(domains_localstack, opensearch_server, api):
    tag = uuid.uuid4().hex[:8]
    domain, index, stream = f"dom-{tag}", f"idx-{tag}", f"fh-{tag}"
    if api == "opensearch":
        status = domains_localstack.client("opensearch").create_domain(DomainName=domain)["DomainStatus"]
        key = "AmazonopensearchserviceDestinationConfiguration"
    else:
        status = domains_localstack.client("es").create_elasticsearch_domain(
            DomainName=domain, ElasticsearchVersion="7.10")["DomainStatus"]
        key = "ElasticsearchDestinationConfiguration"
    firehose = domains_localstack.client("firehose")
    firehose.create_delivery_stream(DeliveryStreamName=stream,
                                    **{key: destination(status["ARN"], make_bucket(domains_localstack), index)})
    wait_for(lambda: firehose.describe_delivery_stream(DeliveryStreamName=stream)
             ["DeliveryStreamDescription"]["DeliveryStreamStatus"] == "ACTIVE", what="stream active")
    put_lines(firehose, stream, [json.dumps({"n": i}).encode() + b"\n" for i in range(5)])
    wait_for(lambda: indexed(opensearch_server, index) == 5, timeout=90, what=f"5 documents in {index}")
