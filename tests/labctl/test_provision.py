"""Provisioning against the real native LocalStack: the workshop's resources,
exactly as the workshop configures them, and idempotent."""
import base64
import json
import time

import pytest
from labctl import provision
from labctl import settings as lab

pytestmark = pytest.mark.localstack


@pytest.fixture(scope="module")
def provisioned(localstack, tmp_path_factory):
    from pathlib import Path

    zip_path = Path(lab.REPO_ROOT) / "build" / "apache_ETL.zip"
    if not zip_path.exists():
        import subprocess
        import sys
        subprocess.run([sys.executable, "-m", "etl.package", "--output", str(zip_path)], check=True)
    target = provision.ProvisionTarget(localstack_url=localstack.url,
                                       opensearch_url="http://127.0.0.1:9", lambda_zip=zip_path,
                                       buffer_interval=60, buffer_size_mb=1)
    provision.provision(target, with_template=False)
    return target


def test_webserver_stream_is_the_workshops(localstack, provisioned):
    desc = localstack.client("firehose").describe_delivery_stream(
        DeliveryStreamName="webserver_stream")["DeliveryStreamDescription"]
    assert desc["DeliveryStreamType"] == "DirectPut"
    dest = desc["Destinations"][0]["AmazonopensearchserviceDestinationDescription"]
    assert dest["IndexName"] == "apache"
    assert dest["IndexRotationPeriod"] == "NoRotation"
    assert dest["S3BackupMode"] == "AllDocuments"
    assert dest["S3DestinationDescription"]["Prefix"] == "apache_"
    assert dest["BufferingHints"] == {"IntervalInSeconds": 60, "SizeInMBs": 1}
    processor = dest["ProcessingConfiguration"]["Processors"][0]
    params = {p["ParameterName"]: p["ParameterValue"] for p in processor["Parameters"]}
    assert processor["Type"] == "Lambda"
    assert params["LambdaArn"].endswith(":function:apache_ETL")


def test_lambda_is_deployed_and_transforms(localstack, provisioned):
    lam = localstack.client("lambda")
    cfg = lam.get_function(FunctionName="apache_ETL")["Configuration"]
    assert cfg["Timeout"] == 60 and cfg["Handler"] == "etl.handler.lambda_handler"
    line = ('1.2.3.4 - - [03/Nov/2018:04:29:26 +0000] "GET /products/Armawoo HTTP/1.1" 200 20494 "-" '
            '"Mozilla/5.0" "user = anonymous; PHPSESSID=abc"\n')
    event = {"invocationId": "i", "region": "us-east-1", "deliveryStreamArn": "arn",
             "records": [{"recordId": "r1", "approximateArrivalTimestamp": 0,
                          "data": base64.b64encode(line.encode()).decode()}]}
    out = lam.invoke(FunctionName="apache_ETL", Payload=json.dumps(event))
    assert "FunctionError" not in out
    rec = json.loads(out["Payload"].read())["records"][0]
    assert rec["result"] == "Ok"
    assert json.loads(base64.b64decode(rec["data"]))["product"] == "Armawoo"


def test_provisioning_again_changes_nothing_and_keeps_the_stream(localstack, provisioned):
    fh = localstack.client("firehose")
    before = fh.describe_delivery_stream(DeliveryStreamName="webserver_stream")["DeliveryStreamDescription"]
    provision.provision(provisioned, with_template=False)
    after = fh.describe_delivery_stream(DeliveryStreamName="webserver_stream")["DeliveryStreamDescription"]
    assert after["CreateTimestamp"] == before["CreateTimestamp"]
    archive = fh.describe_delivery_stream(DeliveryStreamName="web_access_log_archive")
    assert archive["DeliveryStreamDescription"]["DeliveryStreamType"] == "KinesisStreamAsSource"


def test_changed_buffer_interval_is_applied_in_place(localstack, provisioned):
    from dataclasses import replace

    fh = localstack.client("firehose")
    provision.provision(replace(provisioned, buffer_interval=5), with_template=False, with_kinesis=False)
    dest = fh.describe_delivery_stream(DeliveryStreamName="webserver_stream")[
        "DeliveryStreamDescription"]["Destinations"][0]["AmazonopensearchserviceDestinationDescription"]
    assert dest["BufferingHints"]["IntervalInSeconds"] == 5
    provision.provision(provisioned, with_template=False, with_kinesis=False)


def test_data_lake_database_and_crawler(localstack, provisioned):
    glue = localstack.client("glue")
    assert glue.get_database(Name=lab.GLUE_DATABASE)["Database"]["Name"] == "clickstream"
    crawler = glue.get_crawler(Name=lab.CRAWLER_NAME)["Crawler"]
    assert crawler["DatabaseName"] == lab.GLUE_DATABASE
    assert crawler["Targets"]["S3Targets"] == [{"Path": f"s3://{lab.BACKUP_BUCKET}/{lab.BACKUP_PREFIX}",
                                                "Exclusions": ["AmazonOpenSearchService-failed/**",
                                                               "elasticsearch-failed/**", "[!0-9]*/**"]}]
    assert crawler["Role"].endswith(f":role/{lab.CRAWLER_ROLE}") and crawler["State"] == "READY"


def test_geoip_database_is_uploaded_once_and_configured_then_switched_off(localstack, provisioned):
    from dataclasses import replace

    from tests.support.data_files import GEOIP_TEST_DB

    lam, s3 = localstack.client("lambda"), localstack.client("s3")
    provision.provision(replace(provisioned, geoip_files=(GEOIP_TEST_DB,)), with_template=False,
                        with_kinesis=False)
    key = f"geoip/{GEOIP_TEST_DB.parent.name}/{GEOIP_TEST_DB.name}"
    first = s3.head_object(Bucket=lab.BACKUP_BUCKET, Key=key)
    assert first["ContentLength"] == GEOIP_TEST_DB.stat().st_size
    cfg = lam.get_function_configuration(FunctionName="apache_ETL")
    assert cfg["Environment"]["Variables"] == {"ETL_GEOIP_DATABASES": f"s3://{lab.BACKUP_BUCKET}/{key}"}
    assert cfg["MemorySize"] == provision.LAMBDA_MEMORY_MB_GEOIP

    line = ('81.2.69.142 - - [03/Nov/2018:04:29:26 +0000] "GET / HTTP/1.1" 200 20494 "-" '
            '"Mozilla/5.0" "user = anonymous; PHPSESSID=abc"\n')
    event = {"records": [{"recordId": "r1", "data": base64.b64encode(line.encode()).decode()}]}
    out = lam.invoke(FunctionName="apache_ETL", Payload=json.dumps(event))
    rec = json.loads(out["Payload"].read())["records"][0]
    assert json.loads(base64.b64decode(rec["data"]))["geo"]["city_name"] == "London"

    time.sleep(1.1)  # LastModified has 1 s resolution: a second upload would change it
    provision.provision(replace(provisioned, geoip_files=(GEOIP_TEST_DB,)), with_template=False,
                        with_kinesis=False)
    again = s3.head_object(Bucket=lab.BACKUP_BUCKET, Key=key)
    assert again["ETag"] == first["ETag"] and again["LastModified"] == first["LastModified"]

    provision.provision(provisioned, with_template=False, with_kinesis=False)
    cfg = lam.get_function_configuration(FunctionName="apache_ETL")
    assert cfg.get("Environment", {}).get("Variables", {}) == {}
    assert cfg["MemorySize"] == provision.LAMBDA_MEMORY_MB
