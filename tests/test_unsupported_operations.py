"""An operation the lab's Glue, Athena, Kinesis Analytics, Firehose or Kinesis does not implement
answers a client error (HTTP 400, the service's own error code) naming the operation,
which SDKs do not retry, instead of LocalStack's `501 InternalFailure: no handler for
operation` (lab_localstack/unsupported.py)."""
from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

pytestmark = pytest.mark.localstack

CALLS = [
    ("glue", "get_ml_transforms", {}, "GetMLTransforms", "OperationNotSupportedException"),
    ("glue", "create_ml_transform", {"Name": "t", "Role": "r", "InputRecordTables": [
        {"DatabaseName": "default", "TableName": "t"}], "Parameters": {"TransformType": "FIND_MATCHES"}},
     "CreateMLTransform", "OperationNotSupportedException"),
    ("athena", "list_capacity_reservations", {}, "ListCapacityReservations", "InvalidRequestException"),
    ("athena", "create_data_catalog", {"Name": "c", "Type": "HIVE"}, "CreateDataCatalog", "InvalidRequestException"),
    ("kinesisanalytics", "add_application_cloud_watch_logging_option",
     {"ApplicationName": "a", "CurrentApplicationVersionId": 1,
      "CloudWatchLoggingOption": {"LogStreamARN": "arn:aws:logs:us-east-1:000000000000:log-group:g:log-stream:s",
                                  "RoleARN": "arn:aws:iam::000000000000:role/r"}},
     "AddApplicationCloudWatchLoggingOption", "UnsupportedOperationException"),
    ("firehose", "start_delivery_stream_encryption", {"DeliveryStreamName": "s"}, "StartDeliveryStreamEncryption",
     "InvalidArgumentException"),
    ("kinesis", "describe_account_settings", {}, "DescribeAccountSettings", "InvalidArgumentException"),
]


@pytest.mark.parametrize(("service", "method", "kwargs", "operation", "code"), CALLS,
                         ids=[f"{c[0]}-{c[3]}" for c in CALLS])
def test_unimplemented_operation_is_a_client_error(localstack, service, method, kwargs, operation, code):
    with pytest.raises(ClientError) as err:
        getattr(localstack.client(service), method)(**kwargs)
    response = err.value.response
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert response["ResponseMetadata"]["RetryAttempts"] == 0, "a 4xx is not retried"
    assert response["Error"]["Code"] == code
    assert response["Error"]["Message"] == f"The {service} operation {operation} is not supported by the lab"
