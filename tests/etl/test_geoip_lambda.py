"""The deployed `apache_ETL` zip with GeoIP, on LocalStack through boto3: the database comes
from S3 at cold start (the runtime's boto3), and a bad location fails the cold start
naming ETL_GEOIP_DATABASES."""

from __future__ import annotations

import base64
import json
import uuid

import pytest

from etl.package import build_zip
from tests.lambda_executor import functions
from tests.support.data_files import GEOIP_TEST_DB

pytestmark = pytest.mark.localstack

LINE = ('81.2.69.142 - - [03/Nov/2018:04:29:26 +0000] "GET /home HTTP/1.1" 200 20494 '
        '"-" "Mozilla/5.0 (X11)" "user = anonymous; PHPSESSID=abc"\n')


@pytest.fixture(scope="module")
def etl_zip(tmp_path_factory) -> bytes:
    path = tmp_path_factory.mktemp("etl") / "apache_ETL.zip"
    build_zip(path)
    return path.read_bytes()


@pytest.fixture(scope="module")
def bucket(localstack) -> str:
    name = f"geoip-{uuid.uuid4().hex[:8]}"
    s3 = functions.client(localstack, "s3")
    s3.create_bucket(Bucket=name)
    s3.upload_file(str(GEOIP_TEST_DB), name, "maxmind/GeoLite2-City-Test.mmdb")
    return name


def _deploy(localstack, etl_zip: bytes, databases: str) -> str:
    lam = functions.client(localstack, "lambda")
    name = f"apache_ETL-{uuid.uuid4().hex[:8]}"
    lam.create_function(FunctionName=name, Runtime="python3.13", Role=functions.ROLE,
                        Handler="etl.handler.lambda_handler", Code={"ZipFile": etl_zip},
                        Timeout=60, MemorySize=512,
                        Environment={"Variables": {"ETL_GEOIP_DATABASES": databases}})
    lam.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 0.5})
    return name


def _event() -> dict:
    return {"invocationId": "geoip", "region": "us-east-1",
            "deliveryStreamArn": "arn:aws:firehose:us-east-1:000000000000:deliverystream/webserver_stream",
            "records": [{"recordId": "1", "approximateArrivalTimestamp": 1_700_000_000_000,
                         "data": base64.b64encode(LINE.encode()).decode()}]}


def test_database_from_s3_places_the_client(localstack, etl_zip, bucket) -> None:
    name = _deploy(localstack, etl_zip, f"s3://{bucket}/maxmind/GeoLite2-City-Test.mmdb")

    error, body = functions.invoke(functions.client(localstack, "lambda"), name, _event())

    assert error is None, body
    (record,) = body["records"]
    assert record["result"] == "Ok"
    geo = json.loads(base64.b64decode(record["data"]))["geo"]
    assert (geo["country_iso_code"], geo["city_name"], geo["timezone"]) == ("GB", "London", "Europe/London")


def test_missing_object_fails_the_cold_start_naming_the_variable(localstack, etl_zip, bucket) -> None:
    name = _deploy(localstack, etl_zip, f"s3://{bucket}/nothing-here.mmdb")

    error, body = functions.invoke(functions.client(localstack, "lambda"), name, _event())

    assert error == "Unhandled", body
    assert "ETL_GEOIP_DATABASES" in body["errorMessage"], body
    assert "nothing-here.mmdb" in body["errorMessage"], body
