"""The Glue Data Catalog through boto3 against the native lab: databases, tables,
partitions, AWS's error codes, and that the catalog survives a restart."""
from __future__ import annotations

import uuid

import pytest
from botocore.exceptions import ClientError

pytestmark = pytest.mark.localstack

COLUMNS = [{"Name": "host", "Type": "string"}, {"Name": "response", "Type": "int"},
           {"Name": "@timestamp", "Type": "string"}]
PARTITION_KEYS = [{"Name": "year", "Type": "string"}, {"Name": "month", "Type": "string"}]


def table_input(name: str, location: str = "s3://lake/apache/") -> dict:
    return {
        "Name": name,
        "TableType": "EXTERNAL_TABLE",
        "Parameters": {"classification": "json"},
        "PartitionKeys": PARTITION_KEYS,
        "StorageDescriptor": {
            "Columns": COLUMNS,
            "Location": location,
            "InputFormat": "org.apache.hadoop.mapred.TextInputFormat",
            "OutputFormat": "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
            "SerdeInfo": {"SerializationLibrary": "org.openx.data.jsonserde.JsonSerDe",
                          "Parameters": {"mapping.ts": "@timestamp"}},
        },
    }


def partition(values: list[str]) -> dict:
    return {"Values": values, "StorageDescriptor": {"Location": f"s3://lake/apache/{values[0]}/{values[1]}/",
                                                    "Columns": COLUMNS}}


def error_code(call, **kwargs) -> tuple[str, str]:
    with pytest.raises(ClientError) as err:
        call(**kwargs)
    return err.value.response["Error"]["Code"], err.value.response["Error"]["Message"]


@pytest.fixture()
def glue(localstack):
    return localstack.client("glue")


@pytest.fixture()
def db(glue) -> str:
    name = f"lab_{uuid.uuid4().hex[:8]}"
    glue.create_database(DatabaseInput={"Name": name, "Description": "clickstream"})
    return name


def test_databases(glue, db):
    got = glue.get_database(Name=db)["Database"]
    assert got["Name"] == db and got["Description"] == "clickstream" and got["CreateTime"]
    assert db in [d["Name"] for d in glue.get_databases()["DatabaseList"]]
    assert error_code(glue.create_database, DatabaseInput={"Name": db}) == (
        "AlreadyExistsException", "Database already exists.")
    assert error_code(glue.get_database, Name="nope_db") == ("EntityNotFoundException", "Database nope_db not found.")
    glue.delete_database(Name=db)
    assert error_code(glue.get_database, Name=db)[0] == "EntityNotFoundException"


def test_names_are_stored_lower_case(glue):
    name = f"Lab_{uuid.uuid4().hex[:8]}"
    glue.create_database(DatabaseInput={"Name": name})
    assert glue.get_database(Name=name.lower())["Database"]["Name"] == name.lower()


def test_tables(glue, db):
    glue.create_table(DatabaseName=db, TableInput=table_input("apache_logs"))
    table = glue.get_table(DatabaseName=db, Name="apache_logs")["Table"]
    assert table["DatabaseName"] == db
    assert table["StorageDescriptor"]["Columns"] == COLUMNS
    assert table["StorageDescriptor"]["SerdeInfo"]["Parameters"] == {"mapping.ts": "@timestamp"}
    assert table["PartitionKeys"] == PARTITION_KEYS
    assert table["Parameters"]["classification"] == "json"
    assert table["CreateTime"] and table["UpdateTime"]
    assert error_code(glue.create_table, DatabaseName=db, TableInput=table_input("apache_logs")) == (
        "AlreadyExistsException", "Table already exists.")
    assert error_code(glue.get_table, DatabaseName=db, Name="missing") == (
        "EntityNotFoundException", "Table missing not found.")
    assert error_code(glue.create_table, DatabaseName="nope_db", TableInput=table_input("t"))[0] == (
        "EntityNotFoundException")

    glue.create_table(DatabaseName=db, TableInput=table_input("other"))
    assert [t["Name"] for t in glue.get_tables(DatabaseName=db)["TableList"]] == ["apache_logs", "other"]
    assert [t["Name"] for t in glue.get_tables(DatabaseName=db, Expression="apache*")["TableList"]] == [
        "apache_logs"]
    page = glue.get_tables(DatabaseName=db, MaxResults=1)
    assert len(page["TableList"]) == 1 and page["NextToken"]
    rest = glue.get_tables(DatabaseName=db, MaxResults=1, NextToken=page["NextToken"])
    assert [t["Name"] for t in rest["TableList"]] == ["other"] and "NextToken" not in rest

    updated = table_input("other", location="s3://lake/other/")
    glue.update_table(DatabaseName=db, TableInput=updated)
    assert glue.get_table(DatabaseName=db, Name="other")["Table"]["StorageDescriptor"]["Location"] == (
        "s3://lake/other/")
    glue.delete_table(DatabaseName=db, Name="other")
    assert error_code(glue.get_table, DatabaseName=db, Name="other")[0] == "EntityNotFoundException"


def test_partitions(glue, db):
    glue.create_table(DatabaseName=db, TableInput=table_input("logs"))
    glue.create_partition(DatabaseName=db, TableName="logs", PartitionInput=partition(["2026", "01"]))
    out = glue.batch_create_partition(DatabaseName=db, TableName="logs", PartitionInputList=[
        partition(["2026", "02"]), partition(["2025", "12"]), partition(["2026", "01"]), {"Values": ["2026"]}])
    assert [(e["PartitionValues"], e["ErrorDetail"]["ErrorCode"]) for e in out["Errors"]] == [
        (["2026", "01"], "AlreadyExistsException"), (["2026"], "InvalidInputException")]

    got = glue.get_partition(DatabaseName=db, TableName="logs", PartitionValues=["2026", "02"])["Partition"]
    assert got["Values"] == ["2026", "02"] and got["TableName"] == "logs" and got["DatabaseName"] == db
    assert got["StorageDescriptor"]["Location"] == "s3://lake/apache/2026/02/"
    all_parts = glue.get_partitions(DatabaseName=db, TableName="logs")["Partitions"]
    assert sorted(p["Values"] for p in all_parts) == [["2025", "12"], ["2026", "01"], ["2026", "02"]]
    filtered = glue.get_partitions(DatabaseName=db, TableName="logs", Expression="year = '2026' AND month > '01'")
    assert [p["Values"] for p in filtered["Partitions"]] == [["2026", "02"]]
    assert error_code(glue.get_partitions, DatabaseName=db, TableName="logs", Expression="nope = 1")[0] == (
        "InvalidInputException")

    batch = glue.batch_get_partition(DatabaseName=db, TableName="logs",
                                     PartitionsToGet=[{"Values": ["2025", "12"]}, {"Values": ["1999", "01"]}])
    assert [p["Values"] for p in batch["Partitions"]] == [["2025", "12"]]
    assert batch["UnprocessedKeys"] == [{"Values": ["1999", "01"]}]

    glue.update_partition(DatabaseName=db, TableName="logs", PartitionValueList=["2025", "12"],
                          PartitionInput={**partition(["2025", "12"]), "Parameters": {"note": "x"}})
    assert glue.get_partition(DatabaseName=db, TableName="logs", PartitionValues=["2025", "12"])[
        "Partition"]["Parameters"] == {"note": "x"}
    glue.delete_partition(DatabaseName=db, TableName="logs", PartitionValues=["2025", "12"])
    assert error_code(glue.get_partition, DatabaseName=db, TableName="logs", PartitionValues=["2025", "12"])[0] == (
        "EntityNotFoundException")
    assert error_code(glue.create_partition, DatabaseName=db, TableName="logs",
                      PartitionInput={"Values": ["2026"]})[0] == "InvalidInputException"


def test_partition_segments_split_the_listing(glue, db):
    """GetPartitions' Segment (Trino's Glue metastore lists 5 segments in parallel): the
    segments are disjoint and together are the whole listing, with Expression too."""
    glue.create_table(DatabaseName=db, TableInput=table_input("logs"))
    values = [[str(y), f"{m:02d}"] for y in (2025, 2026) for m in range(1, 13)]
    glue.batch_create_partition(DatabaseName=db, TableName="logs",
                                PartitionInputList=[partition(v) for v in values])

    def listing(total: int, **kwargs) -> list[list[list[str]]]:
        return [[p["Values"] for page in glue.get_paginator("get_partitions").paginate(
            DatabaseName=db, TableName="logs", Segment={"SegmentNumber": n, "TotalSegments": total}, **kwargs)
            for p in page["Partitions"]] for n in range(total)]

    segments = listing(5)
    assert sorted(v for seg in segments for v in seg) == sorted(values)
    assert all(seg for seg in segments)
    filtered = listing(3, Expression="year = '2026'")
    assert sorted(v for seg in filtered for v in seg) == sorted(v for v in values if v[0] == "2026")
    assert error_code(glue.get_partitions, DatabaseName=db, TableName="logs",
                      Segment={"SegmentNumber": 5, "TotalSegments": 5})[0] == "InvalidInputException"


def test_column_statistics(glue, db):
    """Column statistics of a table and a partition (Trino's Hive connector writes and deletes
    them on every CREATE TABLE / CTAS commit): stored as given, missing columns as Errors."""
    glue.create_table(DatabaseName=db, TableInput=table_input("logs"))
    glue.create_partition(DatabaseName=db, TableName="logs", PartitionInput=partition(["2026", "01"]))
    stats = {"ColumnName": "response", "ColumnType": "int", "AnalyzedTime": 1_790_000_000,
             "StatisticsData": {"Type": "LONG", "LongColumnStatisticsData": {
                 "MinimumValue": 200, "MaximumValue": 504, "NumberOfNulls": 3, "NumberOfDistinctValues": 7}}}
    assert glue.update_column_statistics_for_table(DatabaseName=db, TableName="logs",
                                                   ColumnStatisticsList=[stats])["Errors"] == []
    got = glue.get_column_statistics_for_table(DatabaseName=db, TableName="logs", ColumnNames=["response", "host"])
    assert [s["StatisticsData"]["LongColumnStatisticsData"]["MaximumValue"] for s in got["ColumnStatisticsList"]] == [504]
    assert [(e["ColumnName"], e["Error"]["ErrorCode"]) for e in got["Errors"]] == [("host", "EntityNotFoundException")]
    glue.update_column_statistics_for_partition(DatabaseName=db, TableName="logs", PartitionValues=["2026", "01"],
                                                ColumnStatisticsList=[stats])
    assert len(glue.get_column_statistics_for_partition(
        DatabaseName=db, TableName="logs", PartitionValues=["2026", "01"],
        ColumnNames=["response"])["ColumnStatisticsList"]) == 1
    glue.delete_column_statistics_for_table(DatabaseName=db, TableName="logs", ColumnName="response")
    glue.delete_column_statistics_for_table(DatabaseName=db, TableName="logs", ColumnName="response")  # no error
    assert glue.get_column_statistics_for_table(DatabaseName=db, TableName="logs",
                                                ColumnNames=["response"])["ColumnStatisticsList"] == []
    assert error_code(glue.get_column_statistics_for_partition, DatabaseName=db, TableName="logs",
                      PartitionValues=["1999", "01"], ColumnNames=["response"])[0] == "EntityNotFoundException"
    assert error_code(glue.delete_column_statistics_for_table, DatabaseName=db, TableName="nope",
                      ColumnName="response")[0] == "EntityNotFoundException"
    assert glue.get_user_defined_functions(DatabaseName=db, Pattern="*")["UserDefinedFunctions"] == []


def test_catalog_survives_restart(localstack, db):
    localstack.client("glue").create_table(DatabaseName=db, TableInput=table_input("kept"))
    localstack.restart()
    assert localstack.client("glue").get_table(DatabaseName=db, Name="kept")["Table"]["Name"] == "kept"


def test_table_versions(glue, db):
    glue.create_table(DatabaseName=db, TableInput=table_input("versioned"))
    glue.update_table(DatabaseName=db, TableInput=table_input("versioned", location="s3://lake/v2/"))
    latest = glue.get_table_version(DatabaseName=db, TableName="versioned", VersionId="LATEST")["TableVersion"]
    assert latest["Table"]["StorageDescriptor"]["Location"] == "s3://lake/v2/"
    assert latest["VersionId"] == glue.get_table(DatabaseName=db, Name="versioned")["Table"]["VersionId"]
    versions = glue.get_table_versions(DatabaseName=db, TableName="versioned")["TableVersions"]
    assert [v["Table"]["StorageDescriptor"]["Location"] for v in versions] == ["s3://lake/v2/", "s3://lake/apache/"]
    first = glue.get_table_version(DatabaseName=db, TableName="versioned", VersionId=versions[-1]["VersionId"])
    assert first["TableVersion"]["Table"]["StorageDescriptor"]["Location"] == "s3://lake/apache/"
    assert error_code(glue.get_table_version, DatabaseName=db, TableName="versioned", VersionId="99")[0] == (
        "EntityNotFoundException")
