"""Format conversion through boto3: JSON records -> Parquet/ORC with the Glue table's schema
(the lab's Glue Data Catalog), read back with pyarrow (an independent reader) and compared
row by row with the records put; records that do not fit in format-conversion-failed with
AWS's fields; AWS's validation; conversion combined with dynamic partitioning."""
from __future__ import annotations

import base64
import io
import json
import re
from datetime import UTC, datetime

import pyarrow.orc as pa_orc
import pyarrow.parquet as pq
import pytest
from botocore.exceptions import ClientError

from tests.support.firehose_calls import (
    LAMBDA_ROLE,
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

COLUMNS = [{"Name": "host", "Type": "string"}, {"Name": "request", "Type": "string"},
           {"Name": "response", "Type": "int"}, {"Name": "bytes", "Type": "bigint"},
           {"Name": "datetime", "Type": "timestamp"}, {"Name": "agent", "Type": "struct<name:string,mobile:boolean>"},
           {"Name": "tags", "Type": "array<string>"}]


def glue_table(localstack, columns=COLUMNS) -> tuple[str, str]:
    glue = localstack.client("glue")
    database, table = unique("db").replace("-", "_"), "clickstream"
    glue.create_database(DatabaseInput={"Name": database})
    glue.create_table(DatabaseName=database, TableInput={
        "Name": table, "TableType": "EXTERNAL_TABLE",
        "StorageDescriptor": {"Columns": columns, "Location": "s3://lake/clickstream/"}})
    return database, table


def conversion(database: str, table: str, serializer: dict | None = None, deserializer: dict | None = None) -> dict:
    return {"SchemaConfiguration": {"DatabaseName": database, "TableName": table, "RoleARN": LAMBDA_ROLE,
                                    "Region": "us-east-1"},
            "InputFormatConfiguration": {"Deserializer": deserializer or {"OpenXJsonSerDe": {}}},
            "OutputFormatConfiguration": {"Serializer": serializer or {"ParquetSerDe": {}}}}


def document(i: int) -> dict:
    return {"host": f"10.0.0.{i % 7}", "request": f"GET /products/{i} HTTP/1.1", "response": [200, 404, 500][i % 3],
            "bytes": 1000 + i, "datetime": 1700000000 + i, "agent": {"name": "Firefox", "mobile": i % 2 == 0},
            "tags": [f"t{i % 2}"], "referrer": "-", "Extra.Field": i}


def expected_row(doc: dict) -> dict:
    """What an independent reading of the record says the row holds (schema columns only)."""
    return {"host": doc["host"], "request": doc["request"], "response": doc["response"], "bytes": doc["bytes"],
            "datetime": datetime.fromtimestamp(doc["datetime"], tz=UTC), "agent": doc["agent"], "tags": doc["tags"]}


def rows(body: bytes, reader=pq.read_table) -> list[dict]:
    table = reader(io.BytesIO(body))
    out = table.to_pylist()
    for row in out:
        row["datetime"] = row["datetime"].replace(tzinfo=UTC)
    return out


def test_parquet_rows_equal_the_records_and_misfits_go_to_format_conversion_failed(lake_localstack):
    database, table = glue_table(lake_localstack)
    bucket, backup, name = make_bucket(lake_localstack), make_bucket(lake_localstack), unique("fh-parquet")
    lake_localstack.client("firehose").create_delivery_stream(
        DeliveryStreamName=name, ExtendedS3DestinationConfiguration=lake_destination(
            bucket, "parquet/", error_prefix="errors/!{firehose:error-output-type}/",
            DataFormatConversionConfiguration=conversion(database, table, {"ParquetSerDe": {"Compression": "GZIP"}}),
            S3BackupMode="Enabled", S3BackupConfiguration={"RoleARN": LAMBDA_ROLE, "BucketARN": f"arn:aws:s3:::{backup}",
                                                           "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": 1}}))
    docs = [document(i) for i in range(300)]
    misfits = [b'{"host": "x", "response": "not a number"}', b"plain text line", b'["an", "array"]',
               b'{"bytes": 99999999999999999999}']
    put_lines(lake_localstack.client("firehose"), name, [json.dumps(d).encode() for d in docs] + misfits)
    counts = wait_for(lambda: settled(lake_localstack, name, len(docs) + len(misfits)), timeout=60,
                      what="the converted delivery")
    assert counts["delivered"] == 300 and counts["format_conversion_failed"] == 4

    described = lake_localstack.client("firehose").describe_delivery_stream(DeliveryStreamName=name)[
        "DeliveryStreamDescription"]["Destinations"][0]["ExtendedS3DestinationDescription"]
    assert described["DataFormatConversionConfiguration"]["Enabled"] is True
    assert described["DataFormatConversionConfiguration"]["SchemaConfiguration"]["VersionId"] == "LATEST"
    assert described["BufferingHints"] == {"SizeInMBs": 64, "IntervalInSeconds": 60}

    delivered = objects(lake_localstack, bucket, "parquet/")
    assert len(delivered) == 1
    key, body = next(iter(delivered.items()))
    assert re.fullmatch(r"parquet/\d{4}/\d{2}/\d{2}/\d{2}/" + re.escape(name) + r"-1-[\d-]{19}-[0-9a-f-]{36}\.parquet",
                        key), key
    metadata = pq.ParquetFile(io.BytesIO(body)).metadata
    assert metadata.row_group(0).column(0).compression == "GZIP"
    assert pq.read_schema(io.BytesIO(body)).names == [c["Name"] for c in COLUMNS], "the Glue table's columns"
    assert rows(body) == [expected_row(d) for d in docs], "every row equals its record; other attributes dropped"

    failed = json_lines(objects(lake_localstack, bucket, "errors/format-conversion-failed/"))
    assert sorted(base64.b64decode(f["rawData"]) for f in failed) == sorted(misfits)
    for f in failed:
        assert list(f) == ["attemptsMade", "arrivalTimestamp", "lastErrorCode", "lastErrorMessage",
                           "attemptEndingTimestamp", "rawData", "sequenceNumber", "subSequenceNumber",
                           "dataCatalogTable"]
        assert f["lastErrorCode"].startswith("DataFormatConversion.")
        assert f["dataCatalogTable"] == {"catalogId": "000000000000", "databaseName": database, "tableName": table,
                                         "region": "us-east-1", "versionId": "0",
                                         "catalogArn": "arn:aws:glue:us-east-1:000000000000:catalog"}
    backup_lines = b"".join(objects(lake_localstack, backup).values())
    assert backup_lines == b"".join([json.dumps(d).encode() for d in docs] + misfits), "JSON source backup"


def test_orc_with_dynamic_partitioning_and_hive_serde(lake_localstack):
    database, table = glue_table(lake_localstack)
    bucket, name = make_bucket(lake_localstack), unique("fh-orc")
    lake_localstack.client("firehose").create_delivery_stream(
        DeliveryStreamName=name, ExtendedS3DestinationConfiguration=lake_destination(
            bucket, "orc/response=!{partitionKeyFromQuery:response}/", FileExtension=".zlib.orc",
            DynamicPartitioningConfiguration={"Enabled": True},
            ProcessingConfiguration=processors(("MetadataExtraction", {
                "MetadataExtractionQuery": "{response: .response}", "JsonParsingEngine": "JQ-1.6"})),
            DataFormatConversionConfiguration=conversion(
                database, table, {"OrcSerDe": {"Compression": "ZLIB"}}, {"HiveJsonSerDe": {"TimestampFormats": ["millis"]}})))
    docs = [dict(document(i), datetime=(1700000000 + i) * 1000) for i in range(90)]
    put_lines(lake_localstack.client("firehose"), name, [json.dumps(d).encode() for d in docs])
    counts = wait_for(lambda: settled(lake_localstack, name, len(docs)), timeout=60)
    assert counts["delivered"] == 90
    delivered = objects(lake_localstack, bucket, "orc/")
    assert {re.match(r"orc/response=(\d+)/", k).group(1) for k in delivered} == {"200", "404", "500"}
    for key in delivered:
        assert re.fullmatch(r"orc/response=\d+/" + re.escape(name) + r"-1-[\d-]{19}-[0-9a-f-]{36}\.zlib\.orc", key), \
            "FileExtension replaces .orc; no time folders under a partitioned prefix"
    for key, body in delivered.items():
        response = int(re.match(r"orc/response=(\d+)/", key).group(1))
        expected = [expected_row(dict(d, datetime=d["datetime"] // 1000)) for d in docs if d["response"] == response]
        assert rows(body, pa_orc.read_table) == expected


def test_missing_glue_table_fails_records_with_invalid_schema(lake_localstack):
    bucket, name = make_bucket(lake_localstack), unique("fh-notable")
    lake_localstack.client("firehose").create_delivery_stream(
        DeliveryStreamName=name, ExtendedS3DestinationConfiguration=lake_destination(
            bucket, "p/", DataFormatConversionConfiguration=conversion("no_such_db", "no_such_table")))
    put_lines(lake_localstack.client("firehose"), name, [b'{"host": "a"}'] * 3)
    counts = wait_for(lambda: settled(lake_localstack, name, 3), timeout=60)
    assert counts["format_conversion_failed"] == 3 and counts["delivered"] == 0
    failed = json_lines(objects(lake_localstack, bucket, "errors/format-conversion-failed/"))
    assert {f["lastErrorCode"] for f in failed} == {"DataFormatConversion.InvalidSchema"}
    assert "no_such_table" in failed[0]["lastErrorMessage"]


@pytest.mark.parametrize("change, message", [
    ({"BufferingHints": {"SizeInMBs": 5, "IntervalInSeconds": 60}}, "SizeInMBs must be at least 64"),
    ({"CompressionFormat": "GZIP"}, "CompressionFormat must be UNCOMPRESSED"),
    ({"DataFormatConversionConfiguration": {**conversion("d", "t"), "SchemaConfiguration": {"TableName": "t"}}},
     "SchemaConfiguration.DatabaseName is required"),
    ({"DataFormatConversionConfiguration": conversion("d", "t", {"ParquetSerDe": {"Compression": "LZO"}})},
     "enum value set: [UNCOMPRESSED, GZIP, SNAPPY]"),
    ({"DataFormatConversionConfiguration": conversion("d", "t", {"OrcSerDe": {"Compression": "GZIP"}})},
     "enum value set: [NONE, ZLIB, SNAPPY]"),
    ({"DataFormatConversionConfiguration": conversion("d", "t", {"ParquetSerDe": {}, "OrcSerDe": {}})},
     "exactly one of ParquetSerDe or OrcSerDe"),
])
def test_conversion_rules_are_enforced(lake_localstack, change, message):
    destination = lake_destination("b", "p/", DataFormatConversionConfiguration=conversion("d", "t"))
    destination.update(change)
    with pytest.raises(ClientError) as caught:
        lake_localstack.client("firehose").create_delivery_stream(
            DeliveryStreamName=unique("fh-conv-bad"), ExtendedS3DestinationConfiguration=destination)
    assert message in caught.value.response["Error"]["Message"]
