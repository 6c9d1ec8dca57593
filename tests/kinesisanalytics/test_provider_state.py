"""The provider's state rules: an update a running application could not run is refused before
anything changes (its code, version and RUNNING state stay), and DiscoverInputSchema reads an S3
sample in the caller's account and region."""
from __future__ import annotations

import json

import boto3
import pytest
from botocore.exceptions import ClientError

from tests.kinesisanalytics.conftest import ISSUE_SQL, ROLE, json_input, make_stream, start, unique

OTHER_ACCOUNT = "111111111111"     # LocalStack takes a 12-digit access key id as the account
OTHER_REGION = "eu-west-1"

pytestmark = pytest.mark.localstack


def test_an_update_the_running_application_cannot_run_changes_nothing(localstack):
    kda = localstack.client("kinesisanalytics")
    name = unique("kda-state")
    kda.create_application(ApplicationName=name, ApplicationCode=ISSUE_SQL, Inputs=[json_input(
        make_stream(localstack), [("client_ip", "$.client_ip", "VARCHAR(16)")])])
    start(localstack, name)
    before = kda.describe_application(ApplicationName=name)["ApplicationDetail"]
    broken = ISSUE_SQL.replace('FROM "SOURCE_SQL_STREAM_001"', 'FROM "NO_SUCH_STREAM"')
    try:
        with pytest.raises(ClientError) as refused:
            kda.update_application(ApplicationName=name, CurrentApplicationVersionId=before["ApplicationVersionId"],
                                   ApplicationUpdate={"ApplicationCodeUpdate": broken})
        assert refused.value.response["Error"]["Code"] == "InvalidApplicationConfigurationException"
        assert "NO_SUCH_STREAM" in refused.value.response["Error"]["Message"]
        after = kda.describe_application(ApplicationName=name)["ApplicationDetail"]
        assert (after["ApplicationCode"], after["ApplicationVersionId"], after["ApplicationStatus"]) == (
            ISSUE_SQL, before["ApplicationVersionId"], "RUNNING")
    finally:
        kda.stop_application(ApplicationName=name)


def test_discover_input_schema_reads_s3_in_the_callers_account_and_region(localstack):
    def client(service: str):
        return boto3.client(service, endpoint_url=localstack.url, region_name=OTHER_REGION,
                            aws_access_key_id=OTHER_ACCOUNT, aws_secret_access_key="test")

    bucket = unique("kda-sample")
    s3 = client("s3")
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": OTHER_REGION})
    lines = [json.dumps({"client_ip": "192.168.100.200", "status": 200}),
             json.dumps({"client_ip": "10.0.0.1", "status": 404})]
    s3.put_object(Bucket=bucket, Key="sample.json", Body="\n".join(lines).encode())
    discovered = client("kinesisanalytics").discover_input_schema(S3Configuration={
        "RoleARN": ROLE, "BucketARN": f"arn:aws:s3:::{bucket}", "FileKey": "sample.json"})
    columns = {c["Name"]: c["SqlType"] for c in discovered["InputSchema"]["RecordColumns"]}
    assert columns == {"client_ip": "VARCHAR(16)", "status": "INTEGER"}
