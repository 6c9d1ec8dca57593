"""Provisioning of the sibling lab's streaming SQL: a Kinesis Data Analytics (SQL) application
on the Kinesis stream `web-access-log` that counts requests per client IP in 10 s tumbling
windows, with the lab's SQL verbatim.

  web-access-log ──▶ application `web-access-log-counts` (SOURCE_SQL_STREAM_001, the JSON log)
      DESTINATION_SQL_STREAM ──▶ Kinesis stream `web-access-counts`
                                   ──▶ Firehose `web_access_counts_archive` ──▶ S3 web-access-counts/
      DASHBOARD_STREAM (the same rows with their window end) ──▶ Firehose `web_access_counts_index`
                                   ──▶ OpenSearch index `web-access-counts` (panel: requests per client per 10 s)
Safe to run again: what exists is kept, a READY application is started.
"""
from __future__ import annotations

import logging

import requests
from botocore.exceptions import ClientError

from labctl import settings as lab

LOG = logging.getLogger(__name__)
ROLE = f"arn:aws:iam::{lab.ACCOUNT_ID}:role/kinesis_analytics_role"

# The sibling lab's application code, verbatim; then a chained pump giving each row its window
# end (the output's ROWTIME) for the dashboard's time axis.
LAB_SQL = """CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (client_ip VARCHAR(16), request_count INTEGER);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM "client_ip", COUNT(*) AS request_count
FROM "SOURCE_SQL_STREAM_001"
GROUP BY "client_ip", FLOOR(("SOURCE_SQL_STREAM_001".ROWTIME - TIMESTAMP '1970-01-01 00:00:00') SECOND / 10 TO SECOND);"""
DASHBOARD_SQL = """
CREATE OR REPLACE STREAM "DASHBOARD_STREAM" (window_end TIMESTAMP, client_ip VARCHAR(16), request_count INTEGER);
CREATE OR REPLACE PUMP "DASHBOARD_PUMP" AS INSERT INTO "DASHBOARD_STREAM"
SELECT STREAM "DESTINATION_SQL_STREAM".ROWTIME, client_ip, request_count FROM "DESTINATION_SQL_STREAM";"""

# The JSON fields of Apache's `kinesis` LogFormat (services/apache/httpd-lab.conf).
INPUT_COLUMNS = [("request_time", "VARCHAR(32)"), ("client_ip", "VARCHAR(64)"), ("client_hostname", "VARCHAR(64)"),
                 ("server_ip", "VARCHAR(64)"), ("request", "VARCHAR(256)"), ("http_method", "VARCHAR(16)"),
                 ("status", "INTEGER"), ("size", "VARCHAR(16)"), ("userAgent", "VARCHAR(256)"),
                 ("referer", "VARCHAR(256)")]


def _arn(service: str, resource: str) -> str:
    return f"arn:aws:{service}:{lab.REGION}:{lab.ACCOUNT_ID}:{resource}"


def application_request() -> dict:
    """CreateApplication's arguments for the sibling lab's application."""
    return {
        "ApplicationName": lab.ANALYTICS_APPLICATION,
        "ApplicationDescription": "Requests per client IP in 10-second tumbling windows",
        "ApplicationCode": LAB_SQL + DASHBOARD_SQL,
        "Inputs": [{
            "NamePrefix": "SOURCE_SQL_STREAM",
            "KinesisStreamsInput": {"ResourceARN": _arn("kinesis", f"stream/{lab.KINESIS_STREAM}"), "RoleARN": ROLE},
            "InputParallelism": {"Count": 1},
            "InputSchema": {
                "RecordFormat": {"RecordFormatType": "JSON",
                                 "MappingParameters": {"JSONMappingParameters": {"RecordRowPath": "$"}}},
                "RecordEncoding": "UTF-8",
                "RecordColumns": [{"Name": name, "Mapping": f"$.{name}", "SqlType": sql_type}
                                  for name, sql_type in INPUT_COLUMNS],
            },
        }],
        "Outputs": [
            {"Name": "DESTINATION_SQL_STREAM", "DestinationSchema": {"RecordFormatType": "JSON"},
             "KinesisStreamsOutput": {"ResourceARN": _arn("kinesis", f"stream/{lab.ANALYTICS_OUTPUT_STREAM}"),
                                      "RoleARN": ROLE}},
            {"Name": "DASHBOARD_STREAM", "DestinationSchema": {"RecordFormatType": "JSON"},
             "KinesisFirehoseOutput": {"ResourceARN": _arn("firehose", f"deliverystream/{lab.ANALYTICS_INDEX_STREAM}"),
                                       "RoleARN": ROLE}},
        ],
    }


def _ensure_index(opensearch_url: str) -> None:
    from kibana_dashboards.sources import WEB_ACCESS_COUNTS_MAPPING

    response = requests.head(f"{opensearch_url}/{lab.ANALYTICS_INDEX}", timeout=10)
    if response.status_code == 404:
        requests.put(f"{opensearch_url}/{lab.ANALYTICS_INDEX}", json=WEB_ACCESS_COUNTS_MAPPING,
                     timeout=10).raise_for_status()
        LOG.info("index %s created", lab.ANALYTICS_INDEX)


def _ensure_delivery_streams(fh, firehose_role: str, opensearch_url: str, buffer_interval: int) -> None:
    existing = set(fh.list_delivery_streams(Limit=100)["DeliveryStreamNames"])
    hints = {"IntervalInSeconds": buffer_interval, "SizeInMBs": 1}
    bucket = f"arn:aws:s3:::{lab.BACKUP_BUCKET}"
    if lab.ANALYTICS_ARCHIVE_STREAM not in existing:
        fh.create_delivery_stream(
            DeliveryStreamName=lab.ANALYTICS_ARCHIVE_STREAM, DeliveryStreamType="KinesisStreamAsSource",
            KinesisStreamSourceConfiguration={
                "KinesisStreamARN": _arn("kinesis", f"stream/{lab.ANALYTICS_OUTPUT_STREAM}"), "RoleARN": firehose_role},
            ExtendedS3DestinationConfiguration={"RoleARN": firehose_role, "BucketARN": bucket,
                                                "Prefix": lab.ANALYTICS_ARCHIVE_PREFIX, "BufferingHints": hints})
        LOG.info("delivery stream %s created", lab.ANALYTICS_ARCHIVE_STREAM)
    if lab.ANALYTICS_INDEX_STREAM not in existing:
        fh.create_delivery_stream(
            DeliveryStreamName=lab.ANALYTICS_INDEX_STREAM, DeliveryStreamType="DirectPut",
            AmazonopensearchserviceDestinationConfiguration={
                "RoleARN": firehose_role, "ClusterEndpoint": opensearch_url, "IndexName": lab.ANALYTICS_INDEX,
                # every document also in S3 (its own prefix), as the workshop's stream keeps them
                "IndexRotationPeriod": "NoRotation", "BufferingHints": hints, "S3BackupMode": "AllDocuments",
                "S3Configuration": {"RoleARN": firehose_role, "BucketARN": bucket,
                                    "Prefix": f"{lab.ANALYTICS_INDEX}-index/", "BufferingHints": hints}})
        LOG.info("delivery stream %s created", lab.ANALYTICS_INDEX_STREAM)


def ensure_application(clients, firehose_role: str, opensearch_url: str, buffer_interval: int,
                       with_index: bool = True) -> None:
    """The output stream, the two delivery streams, the index and the running application.

    `clients(service)` returns a boto3 client for the lab's LocalStack."""
    kinesis, kda = clients("kinesis"), clients("kinesisanalytics")
    try:
        kinesis.describe_stream_summary(StreamName=lab.ANALYTICS_OUTPUT_STREAM)
    except ClientError:
        kinesis.create_stream(StreamName=lab.ANALYTICS_OUTPUT_STREAM, ShardCount=1)
    kinesis.get_waiter("stream_exists").wait(StreamName=lab.ANALYTICS_OUTPUT_STREAM,
                                             WaiterConfig={"Delay": 1, "MaxAttempts": 120})
    if with_index:
        _ensure_index(opensearch_url)
    _ensure_delivery_streams(clients("firehose"), firehose_role, opensearch_url, buffer_interval)
    try:
        detail = kda.describe_application(ApplicationName=lab.ANALYTICS_APPLICATION)["ApplicationDetail"]
    except ClientError:
        kda.create_application(**application_request())
        detail = kda.describe_application(ApplicationName=lab.ANALYTICS_APPLICATION)["ApplicationDetail"]
        LOG.info("Kinesis Analytics application %s created", lab.ANALYTICS_APPLICATION)
    if detail["ApplicationStatus"] == "READY":
        kda.start_application(ApplicationName=lab.ANALYTICS_APPLICATION, InputConfigurations=[
            {"Id": detail["InputDescriptions"][0]["InputId"],
             "InputStartingPositionConfiguration": {"InputStartingPosition": "NOW"}}])
        LOG.info("Kinesis Analytics application %s started", lab.ANALYTICS_APPLICATION)
