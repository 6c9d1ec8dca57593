"""Athena's tags through boto3 (work groups, the data catalog, Tags at CreateWorkGroup,
AWS's errors and paging), and the `default` schema: a query whose QueryExecutionContext
names no database runs in Glue's `default` database, which every Data Catalog has."""
from __future__ import annotations

import uuid

import pytest
from botocore.exceptions import ClientError

from tests.athena.conftest import TERMINAL, rows, unique
from tests.support.waiting import wait_for

pytestmark = pytest.mark.localstack

PREFIX = "arn:aws:athena:us-east-1:000000000000"


def error_code(call, **kwargs) -> str:
    with pytest.raises(ClientError) as err:
        call(**kwargs)
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    return err.value.response["Error"]["Code"]


def tags(athena, arn: str, **kwargs) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in athena.list_tags_for_resource(ResourceARN=arn, **kwargs)["Tags"]}


def test_work_group_tags(athena):
    name = unique("wg-")
    arn = f"{PREFIX}:workgroup/{name}"
    athena.create_work_group(Name=name, Tags=[{"Key": "team", "Value": "lab"}, {"Key": "stage", "Value": "one"}])
    assert tags(athena, arn) == {"team": "lab", "stage": "one"}
    athena.tag_resource(ResourceARN=arn, Tags=[{"Key": "stage", "Value": "two"}, {"Key": "cost", "Value": ""}])
    athena.untag_resource(ResourceARN=arn, TagKeys=["team", "never-set"])
    assert tags(athena, arn) == {"stage": "two", "cost": ""}
    # Terraform's AWS provider with skip_requesting_account_id builds ARNs with no account
    assert tags(athena, f"arn:aws:athena:us-east-1::workgroup/{name}") == {"stage": "two", "cost": ""}
    athena.delete_work_group(WorkGroup=name)
    assert error_code(athena.list_tags_for_resource, ResourceARN=arn) == "ResourceNotFoundException"
    athena.create_work_group(Name=name)
    assert tags(athena, arn) == {}, "a new work group of the same name has no tags"
    athena.delete_work_group(WorkGroup=name)


def test_primary_and_data_catalog_tags(athena):
    athena.tag_resource(ResourceARN=f"{PREFIX}:workgroup/primary", Tags=[{"Key": "k", "Value": "v"}])
    assert tags(athena, f"{PREFIX}:workgroup/primary")["k"] == "v"
    athena.untag_resource(ResourceARN=f"{PREFIX}:workgroup/primary", TagKeys=["k"])
    catalog = f"{PREFIX}:datacatalog/AwsDataCatalog"
    athena.tag_resource(ResourceARN=catalog, Tags=[{"Key": "k", "Value": "v"}])
    assert tags(athena, catalog) == {"k": "v"}
    athena.untag_resource(ResourceARN=catalog, TagKeys=["k"])
    assert tags(athena, catalog) == {}


def test_tag_errors_and_paging(athena):
    name = unique("wg-")
    arn = f"{PREFIX}:workgroup/{name}"
    assert error_code(athena.list_tags_for_resource, ResourceARN=arn) == "ResourceNotFoundException"
    assert error_code(athena.tag_resource, ResourceARN=f"{PREFIX}:datacatalog/nope",
                      Tags=[{"Key": "k", "Value": "v"}]) == "ResourceNotFoundException"
    assert error_code(athena.list_tags_for_resource, ResourceARN="not-an-arn") == "InvalidRequestException"
    assert error_code(athena.list_tags_for_resource, ResourceARN=f"{PREFIX}:table/x") == "InvalidRequestException"
    assert error_code(athena.create_work_group, Name=name,
                      Tags=[{"Key": "aws:reserved", "Value": "x"}]) == "InvalidRequestException"
    athena.create_work_group(Name=name, Tags=[{"Key": f"k{i:02d}", "Value": str(i)} for i in range(50)])
    assert error_code(athena.tag_resource, ResourceARN=arn,
                      Tags=[{"Key": "one-more", "Value": "x"}]) == "InvalidRequestException"
    assert len(tags(athena, arn)) == 50
    first = athena.list_tags_for_resource(ResourceARN=arn, MaxResults=75)
    assert len(first["Tags"]) == 50 and "NextToken" not in first
    athena.delete_work_group(WorkGroup=name)


def run_without_database(athena, sql: str, output: str) -> dict:
    """A query with no QueryExecutionContext (no database named)."""
    query_id = athena.start_query_execution(QueryString=sql, ResultConfiguration={"OutputLocation": output})[
        "QueryExecutionId"]

    def finished():
        execution = athena.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]
        return execution if execution["Status"]["State"] in TERMINAL else None

    return wait_for(finished, timeout=60, interval=0.1, what=f"query {query_id}")


def test_default_schema(localstack, athena, s3):
    bucket, table = unique("lake-"), f"t_{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="data/part-0.json", Body=b'{"a": 1, "b": "x"}\n{"a": 2, "b": "y"}\n')
    output = f"s3://{bucket}/results/"
    created = run_without_database(athena, f"CREATE EXTERNAL TABLE {table} (a int, b string) ROW FORMAT SERDE "
                                   f"'org.openx.data.jsonserde.JsonSerDe' LOCATION 's3://{bucket}/data/'", output)
    assert created["Status"]["State"] == "SUCCEEDED", created["Status"]
    glue = localstack.client("glue")
    assert glue.get_table(DatabaseName="default", Name=table)["Table"]["DatabaseName"] == "default"
    for sql in (f'SELECT a, b FROM "default"."{table}" ORDER BY a', f"SELECT a, b FROM {table} ORDER BY a"):
        execution = run_without_database(athena, sql, output)
        assert execution["Status"]["State"] == "SUCCEEDED", execution["Status"]
        assert rows(athena, execution["QueryExecutionId"]) == [["a", "b"], ["1", "x"], ["2", "y"]]
    assert "default" in [d["Name"] for d in athena.list_databases(CatalogName="AwsDataCatalog")["DatabaseList"]]
    glue.delete_table(DatabaseName="default", Name=table)
