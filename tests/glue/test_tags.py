"""Glue's tags through boto3: Tags at CreateDatabase/CreateCrawler, TagResource,
UntagResource, GetTags on database and crawler ARNs, AWS's errors for other ARNs and
rules; partition indexes (Terraform reads them for every table); the `default` database
every Data Catalog has; and that tags and `default` survive a restart."""
from __future__ import annotations

import uuid

import boto3
import pytest
from botocore.exceptions import ClientError

from tests.glue.test_catalog import table_input

pytestmark = pytest.mark.localstack

PREFIX = "arn:aws:glue:us-east-1:000000000000"


def error_code(call, **kwargs) -> str:
    with pytest.raises(ClientError) as err:
        call(**kwargs)
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    return err.value.response["Error"]["Code"]


@pytest.fixture()
def glue(localstack):
    return localstack.client("glue")


def test_database_tags(glue):
    name = f"tags_{uuid.uuid4().hex[:8]}"
    arn = f"{PREFIX}:database/{name}"
    glue.create_database(DatabaseInput={"Name": name}, Tags={"team": "lab", "stage": "one"})
    assert glue.get_tags(ResourceArn=arn)["Tags"] == {"team": "lab", "stage": "one"}
    glue.tag_resource(ResourceArn=arn, TagsToAdd={"stage": "two", "empty": ""})
    glue.untag_resource(ResourceArn=arn, TagsToRemove=["team", "never-set"])
    assert glue.get_tags(ResourceArn=arn)["Tags"] == {"stage": "two", "empty": ""}
    # a database's ARN with the name in another case names the same (lower-case) database
    assert glue.get_tags(ResourceArn=f"{PREFIX}:database/{name.upper()}")["Tags"]["stage"] == "two"
    glue.delete_database(Name=name)
    assert error_code(glue.get_tags, ResourceArn=arn) == "EntityNotFoundException"
    glue.create_database(DatabaseInput={"Name": name})
    assert glue.get_tags(ResourceArn=arn)["Tags"] == {}, "a new database of the same name has no tags"
    glue.delete_database(Name=name)


def test_crawler_tags(glue):
    name = f"tags-{uuid.uuid4().hex[:8]}"
    arn = f"{PREFIX}:crawler/{name}"
    glue.create_crawler(Name=name, Role="arn:aws:iam::000000000000:role/glue", DatabaseName="default",
                        Targets={"S3Targets": [{"Path": "s3://lake/raw/"}]}, Tags={"owner": "lab"})
    assert glue.get_tags(ResourceArn=arn)["Tags"] == {"owner": "lab"}
    glue.tag_resource(ResourceArn=arn, TagsToAdd={"cost": "0"})
    assert glue.get_tags(ResourceArn=arn)["Tags"] == {"owner": "lab", "cost": "0"}
    glue.delete_crawler(Name=name)
    assert error_code(glue.get_tags, ResourceArn=arn) == "EntityNotFoundException"


def test_tag_errors(glue):
    name = f"tags_{uuid.uuid4().hex[:8]}"
    glue.create_database(DatabaseInput={"Name": name})
    glue.create_table(DatabaseName=name, TableInput=table_input("t"))
    arn = f"{PREFIX}:database/{name}"
    assert error_code(glue.get_tags, ResourceArn=f"{PREFIX}:database/nope_db") == "EntityNotFoundException"
    assert error_code(glue.tag_resource, ResourceArn=f"{PREFIX}:crawler/nope",
                      TagsToAdd={"a": "b"}) == "EntityNotFoundException"
    assert error_code(glue.get_tags, ResourceArn=f"{PREFIX}:job/nope") == "EntityNotFoundException"
    assert error_code(glue.get_tags, ResourceArn=f"arn:aws:glue:eu-west-1:000000000000:database/{name}") == \
        "EntityNotFoundException"
    assert error_code(glue.get_tags, ResourceArn="arn:aws:glue:us-east-1:000000000000:nonsense") == \
        "InvalidInputException"
    assert error_code(glue.get_tags, ResourceArn=f"{PREFIX}:table/{name}/t") == "InvalidInputException"
    assert error_code(glue.tag_resource, ResourceArn=arn, TagsToAdd={"aws:reserved": "x"}) == "InvalidInputException"
    assert error_code(glue.tag_resource, ResourceArn=arn, TagsToAdd={"k": "v" * 257}) == "InvalidInputException"
    glue.tag_resource(ResourceArn=arn, TagsToAdd={f"k{i}": "v" for i in range(50)})
    assert error_code(glue.tag_resource, ResourceArn=arn, TagsToAdd={"one-more": "v"}) == "InvalidInputException"
    assert len(glue.get_tags(ResourceArn=arn)["Tags"]) == 50
    glue.delete_database(Name=name)


def test_arn_without_account_names_the_callers(glue):
    """Terraform's AWS provider with skip_requesting_account_id builds `arn:aws:glue:<region>::...`."""
    name = f"tags_{uuid.uuid4().hex[:8]}"
    glue.create_database(DatabaseInput={"Name": name}, Tags={"a": "1"})
    assert glue.get_tags(ResourceArn=f"arn:aws:glue:us-east-1::database/{name}")["Tags"] == {"a": "1"}
    glue.delete_database(Name=name)


def test_partition_indexes(glue):
    name = f"idx_{uuid.uuid4().hex[:8]}"
    glue.create_database(DatabaseInput={"Name": name})
    glue.create_table(DatabaseName=name, TableInput=table_input("t"),
                      PartitionIndexes=[{"IndexName": "by_year", "Keys": ["year"]}])
    glue.create_partition_index(DatabaseName=name, TableName="t",
                                PartitionIndex={"IndexName": "by_month", "Keys": ["year", "month"]})
    got = glue.get_partition_indexes(DatabaseName=name, TableName="t")["PartitionIndexDescriptorList"]
    assert [(i["IndexName"], [k["Name"] for k in i["Keys"]], i["IndexStatus"]) for i in got] == [
        ("by_year", ["year"], "ACTIVE"), ("by_month", ["year", "month"], "ACTIVE")]
    assert got[0]["Keys"] == [{"Name": "year", "Type": "string"}]
    assert error_code(glue.create_partition_index, DatabaseName=name, TableName="t",
                      PartitionIndex={"IndexName": "bad", "Keys": ["host"]}) == "InvalidInputException"
    assert error_code(glue.create_partition_index, DatabaseName=name, TableName="t",
                      PartitionIndex={"IndexName": "by_year", "Keys": ["year"]}) == "AlreadyExistsException"
    glue.delete_partition_index(DatabaseName=name, TableName="t", IndexName="by_year")
    assert [i["IndexName"] for i in glue.get_partition_indexes(DatabaseName=name, TableName="t")[
        "PartitionIndexDescriptorList"]] == ["by_month"]
    assert error_code(glue.delete_partition_index, DatabaseName=name, TableName="t",
                      IndexName="by_year") == "EntityNotFoundException"
    glue.create_table(DatabaseName=name, TableInput=table_input("plain"))
    assert glue.get_partition_indexes(DatabaseName=name, TableName="plain")["PartitionIndexDescriptorList"] == []
    glue.delete_database(Name=name)


def test_default_database(glue, localstack):
    """Every account's Data Catalog has `default`, as AWS shows it (AWS CLI reference,
    `aws glue get-databases`)."""
    db = glue.get_database(Name="default")["Database"]
    assert (db["Name"], db["Description"], db["LocationUri"]) == (
        "default", "Default Hive database", "file:/spark-warehouse")
    assert db["CreateTableDefaultPermissions"] == [
        {"Principal": {"DataLakePrincipalIdentifier": "IAM_ALLOWED_PRINCIPALS"}, "Permissions": ["ALL"]}]
    assert "default" in [d["Name"] for d in glue.get_databases()["DatabaseList"]]
    # another account (LocalStack takes a 12-digit access key as the account) has its own from its first call
    other = boto3.client("glue", endpoint_url=localstack.url, region_name="eu-west-1",
                         aws_access_key_id="111111111111", aws_secret_access_key="test")
    assert [(d["Name"], d["CatalogId"]) for d in other.get_databases()["DatabaseList"]] == [
        ("default", "111111111111")]


def test_tags_and_default_database_survive_a_restart(localstack):
    glue = localstack.client("glue")
    name = f"tags_{uuid.uuid4().hex[:8]}"
    crawler = f"tags-{uuid.uuid4().hex[:8]}"
    glue.create_database(DatabaseInput={"Name": name}, Tags={"keep": "me"})
    glue.create_crawler(Name=crawler, Role="arn:aws:iam::000000000000:role/glue", DatabaseName=name,
                        Targets={"S3Targets": [{"Path": "s3://lake/raw/"}]}, Tags={"c": "1"})
    glue.delete_database(Name="default")
    try:
        assert error_code(glue.get_database, Name="default") == "EntityNotFoundException"
        localstack.restart()
    finally:
        glue = localstack.client("glue")
        try:
            glue.create_database(DatabaseInput={"Name": "default", "Description": "Default Hive database",
                                                "LocationUri": "file:/spark-warehouse"})
            restored_at_start = False
        except glue.exceptions.AlreadyExistsException:
            restored_at_start = True
    assert restored_at_start, "`default` is put back when the lab starts"
    assert glue.get_database(Name="default")["Database"]["Description"] == "Default Hive database"
    assert glue.get_tags(ResourceArn=f"{PREFIX}:database/{name}")["Tags"] == {"keep": "me"}
    assert glue.get_tags(ResourceArn=f"{PREFIX}:crawler/{crawler}")["Tags"] == {"c": "1"}
    glue.delete_crawler(Name=crawler)
    glue.delete_database(Name=name)
