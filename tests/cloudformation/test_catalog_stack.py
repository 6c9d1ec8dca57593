"""A Glue database, table, partition and crawler and an Athena work group and saved query
declared in one CloudFormation stack (templates/catalog.yaml), created, updated and
deleted through boto3: each exists in the lab's Glue/Athena with what the template set,
Ref and Fn::GetAtt give what AWS's resource reference documents, an update changes the
resources in place, and deleting the stack removes them."""
from __future__ import annotations

import time
import uuid

import pytest
from botocore.exceptions import ClientError

from tests.cloudformation.conftest import outputs, parameters, settled, template

pytestmark = pytest.mark.localstack

COLUMNS = [{"Name": "host", "Type": "string"}, {"Name": "request", "Type": "string"},
           {"Name": "response", "Type": "int"}, {"Name": "bytes", "Type": "bigint"}]
PARQUET_SERDE = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"


def error_code(call, **kwargs) -> str:
    with pytest.raises(ClientError) as err:
        call(**kwargs)
    return err.value.response["Error"]["Code"]


def test_catalog_stack_create_update_delete(cfn_localstack):
    cfn, glue, athena = (cfn_localstack.client(s) for s in ("cloudformation", "glue", "athena"))
    stack, database, bucket = f"catalog-{uuid.uuid4().hex[:6]}", f"lake_{uuid.uuid4().hex[:6]}", "lake-bucket"
    started = int(time.time())
    stack_id = cfn.create_stack(StackName=stack, TemplateBody=template("catalog.yaml"), Capabilities=["CAPABILITY_IAM"],
                                Parameters=parameters(DatabaseName=database, BucketName=bucket))["StackId"]
    created = settled(cfn, stack)
    assert created["StackStatus"] == "CREATE_COMPLETE", created.get("StackStatusReason")
    out = outputs(created)

    db = glue.get_database(Name=database)["Database"]
    assert (db["Description"], db["LocationUri"]) == ("Clickstream Lab data lake", f"s3://{bucket}/")
    table = glue.get_table(DatabaseName=database, Name="access_log_parquet")["Table"]
    assert table["StorageDescriptor"]["Columns"] == COLUMNS
    assert table["StorageDescriptor"]["SerdeInfo"] == {"SerializationLibrary": PARQUET_SERDE,
                                                       "Parameters": {"serialization.format": "1"}}
    assert table["StorageDescriptor"]["Location"] == f"s3://{bucket}/parquet/"
    assert table["PartitionKeys"] == [{"Name": "year", "Type": "string"}, {"Name": "month", "Type": "string"}]
    assert (table["TableType"], table["Parameters"]["classification"]) == ("EXTERNAL_TABLE", "parquet")
    partition = glue.get_partition(DatabaseName=database, TableName="access_log_parquet",
                                   PartitionValues=["2026", "12"])["Partition"]
    assert partition["StorageDescriptor"]["Location"] == f"s3://{bucket}/parquet/2026/12/"
    crawler = glue.get_crawler(Name=f"{stack}-raw")["Crawler"]
    assert crawler["Targets"]["S3Targets"][0]["Path"] == f"s3://{bucket}/raw/"
    assert (crawler["DatabaseName"], crawler["TablePrefix"], crawler["State"]) == (database, "raw_", "READY")
    assert crawler["Schedule"]["ScheduleExpression"] == "cron(0 * * * ? *)"
    assert crawler["Role"].startswith("arn:aws:iam::000000000000:role/")
    assert crawler["SchemaChangePolicy"] == {"UpdateBehavior": "LOG", "DeleteBehavior": "LOG"}
    wg = athena.get_work_group(WorkGroup=f"{stack}-wg")["WorkGroup"]
    assert wg["Description"] == "Clickstream Lab queries" and wg["State"] == "ENABLED"
    assert wg["Configuration"]["ResultConfiguration"]["OutputLocation"] == f"s3://{bucket}/athena-results/"
    assert wg["Configuration"]["EnforceWorkGroupConfiguration"] is True
    query = athena.get_named_query(NamedQueryId=out["NamedQueryRef"])["NamedQuery"]
    assert (query["Name"], query["Database"], query["WorkGroup"]) == ("top-hosts", database, f"{stack}-wg")
    assert query["QueryString"].startswith("SELECT host, count(*) AS requests FROM access_log_parquet ")

    # Ref / Fn::GetAtt as AWS's resource reference documents them
    assert out["DatabaseRef"] == database
    assert out["TableRef"] == "access_log_parquet"
    assert out["CrawlerRef"] == f"{stack}-raw"
    assert out["WorkGroupRef"] == f"{stack}-wg"
    assert out["NamedQueryId"] == out["NamedQueryRef"] == query["NamedQueryId"]
    assert started - 5 <= int(out["WorkGroupCreationTime"]) <= time.time() + 5, "a UNIX timestamp in seconds"
    assert out["WorkGroupEngine"] == wg["Configuration"]["EngineVersion"]["EffectiveEngineVersion"]
    assert out["PartitionRef"] not in ("", "unknown")
    physical = {r["LogicalResourceId"]: r["PhysicalResourceId"]
                for r in cfn.describe_stack_resources(StackName=stack)["StackResources"]}
    assert physical["GlueDatabase"] == database and physical["RawCrawler"] == f"{stack}-raw"

    # update: one more column, a new crawler schedule and description
    updated_template = template("catalog.yaml").replace(
        "            - {Name: bytes, Type: bigint}\n",
        "            - {Name: bytes, Type: bigint}\n            - {Name: referrer, Type: string}\n")
    cfn.update_stack(StackName=stack, TemplateBody=updated_template, Capabilities=["CAPABILITY_IAM"],
                     Parameters=parameters(DatabaseName=database, BucketName=bucket,
                                           CrawlerSchedule="cron(15 2 * * ? *)", CrawlerDescription="Nightly"))
    after = settled(cfn, stack)
    assert after["StackStatus"] == "UPDATE_COMPLETE", after.get("StackStatusReason")
    table = glue.get_table(DatabaseName=database, Name="access_log_parquet")["Table"]
    assert table["StorageDescriptor"]["Columns"] == [*COLUMNS, {"Name": "referrer", "Type": "string"}]
    versions = glue.get_table_versions(DatabaseName=database, TableName="access_log_parquet")["TableVersions"]
    assert len(versions) == 2, "UpdateTable archived the first version"
    crawler = glue.get_crawler(Name=f"{stack}-raw")["Crawler"]
    assert (crawler["Schedule"]["ScheduleExpression"], crawler["Description"]) == ("cron(15 2 * * ? *)", "Nightly")
    assert outputs(after)["NamedQueryRef"] == out["NamedQueryRef"], "the saved query was not touched"

    cfn.delete_stack(StackName=stack)
    gone = settled(cfn, stack_id)   # a deleted stack is found by its id only
    assert gone["StackStatus"] == "DELETE_COMPLETE"
    assert error_code(glue.get_database, Name=database) == "EntityNotFoundException"
    assert error_code(glue.get_crawler, Name=f"{stack}-raw") == "EntityNotFoundException"
    assert error_code(athena.get_work_group, WorkGroup=f"{stack}-wg") == "InvalidRequestException"
    assert error_code(athena.get_named_query, NamedQueryId=out["NamedQueryRef"]) == "InvalidRequestException"
