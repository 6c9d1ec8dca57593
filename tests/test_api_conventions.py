"""AWS's answers, service by service, where the lab's providers used to differ and now share
lab_localstack/aws_api.py: a page size of 0, the last page of a listing (no NextToken), a
NextToken the service never issued, and an unknown resource. Through boto3, as an attendee
calls them, against the session's LocalStack.

The expectations are the API references': each operation's MaxResults (or Limit) "Valid Range"
(Glue GetTables 1-100, Athena ListQueryExecutions 0-50 and ListWorkGroups 1-50, Kinesis
Analytics ListApplications 1-50, Firehose ListDeliveryStreams 1-10000) and "Errors" (Glue
EntityNotFoundException and InvalidInputException; Athena InvalidRequestException, and
ResourceNotFoundException for a tagged ARN; Firehose, Kinesis Analytics and Kinesis
ResourceNotFoundException and ValidationException). boto3 refuses a page size below the
minimum before sending it, so those calls go through a client without parameter validation,
as an SDK that does not validate (Go's, Terraform's) would send them.
"""
from __future__ import annotations

import uuid

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

ACCOUNT = "000000000000"

pytestmark = pytest.mark.localstack


def raw_client(localstack, service: str):
    """A client that sends what it is given (no client-side range checks)."""
    return boto3.client(service, endpoint_url=localstack.url, region_name="us-east-1",
                        aws_access_key_id="test", aws_secret_access_key="test",
                        config=Config(parameter_validation=False))


def refused(call, **kwargs) -> tuple[str, int]:
    with pytest.raises(ClientError) as err:
        call(**kwargs)
    return err.value.response["Error"]["Code"], err.value.response["ResponseMetadata"]["HTTPStatusCode"]


def walk_pages(call, key: str, **kwargs) -> list[dict]:
    """Every page of a NextToken-paged call; each but the last carries a token."""
    pages = [call(**kwargs)]
    while "NextToken" in pages[-1]:
        assert pages[-1]["NextToken"], "an empty NextToken is not 'no more pages'"
        pages.append(call(**kwargs, NextToken=pages[-1]["NextToken"]))
        assert len(pages) < 1000
    return pages


@pytest.fixture(scope="module")
def glue_db(localstack):
    glue = localstack.client("glue")
    name = f"conventions_{uuid.uuid4().hex[:8]}"
    glue.create_database(DatabaseInput={"Name": name})
    for table in ("a", "b", "c"):
        glue.create_table(DatabaseName=name, TableInput={"Name": table})
    yield name
    glue.delete_database(Name=name)


@pytest.fixture(scope="module")
def work_group(localstack):
    athena = localstack.client("athena")
    name = f"conventions-{uuid.uuid4().hex[:8]}"
    athena.create_work_group(Name=name)
    for i in range(3):
        athena.create_named_query(Name=f"q{i}", Database="default", QueryString="SELECT 1", WorkGroup=name)
    yield name
    athena.delete_work_group(WorkGroup=name, RecursiveDeleteOption=True)


# --- MaxResults=0 ----------------------------------------------------------------------------
def test_page_size_zero_is_refused_by_glue(localstack, glue_db):
    glue = raw_client(localstack, "glue")
    assert refused(glue.get_tables, DatabaseName=glue_db, MaxResults=0) == ("InvalidInputException", 400)
    assert refused(glue.get_databases, MaxResults=0) == ("InvalidInputException", 400)
    assert refused(glue.get_tables, DatabaseName=glue_db, MaxResults=101) == ("InvalidInputException", 400)


def test_page_size_zero_is_accepted_where_athena_allows_it(localstack, work_group):
    """ListNamedQueries and ListQueryExecutions allow 0 (their minimum): the default page."""
    athena = localstack.client("athena")
    ids = athena.list_named_queries(WorkGroup=work_group, MaxResults=0)["NamedQueryIds"]
    assert len(ids) == 3
    assert "QueryExecutionIds" in athena.list_query_executions(WorkGroup=work_group, MaxResults=0)


def test_page_size_zero_is_refused_where_athena_does_not_allow_it(localstack, work_group):
    athena = raw_client(localstack, "athena")
    assert refused(athena.list_work_groups, MaxResults=0) == ("InvalidRequestException", 400)
    assert refused(athena.list_named_queries, WorkGroup=work_group, MaxResults=51) == (
        "InvalidRequestException", 400)


def test_page_size_zero_is_refused_by_kinesis_analytics_and_firehose(localstack):
    kda = raw_client(localstack, "kinesisanalytics")
    assert refused(kda.list_applications, Limit=0) == ("ValidationException", 400)
    firehose = raw_client(localstack, "firehose")
    assert refused(firehose.list_delivery_streams, Limit=0) == ("ValidationException", 400)


# --- the last page has no NextToken ------------------------------------------------------------
def test_glue_pages_end_without_a_token(localstack, glue_db):
    glue = localstack.client("glue")
    pages = walk_pages(glue.get_tables, "TableList", DatabaseName=glue_db, MaxResults=2)
    assert [len(p["TableList"]) for p in pages] == [2, 1]
    assert "NextToken" not in glue.get_tables(DatabaseName=glue_db, MaxResults=3)


def test_athena_pages_end_without_a_token(localstack, work_group):
    athena = localstack.client("athena")
    pages = walk_pages(athena.list_named_queries, "NamedQueryIds", WorkGroup=work_group, MaxResults=2)
    assert [len(p["NamedQueryIds"]) for p in pages] == [2, 1]
    names = [w["Name"] for p in walk_pages(athena.list_work_groups, "WorkGroups", MaxResults=1)
             for w in p["WorkGroups"]]
    assert {"primary", work_group} <= set(names)


def test_kinesis_analytics_pages_end_without_more(localstack):
    kda = localstack.client("kinesisanalytics")
    prefix = f"conventions-{uuid.uuid4().hex[:8]}"
    for suffix in ("a", "b"):
        kda.create_application(ApplicationName=f"{prefix}-{suffix}")
    try:
        seen, after = [], None
        while True:
            page = kda.list_applications(Limit=1, **({"ExclusiveStartApplicationName": after} if after else {}))
            seen += [a["ApplicationName"] for a in page["ApplicationSummaries"]]
            if not page["HasMoreApplications"]:
                break
            after = seen[-1]
        assert {f"{prefix}-a", f"{prefix}-b"} <= set(seen) and seen == sorted(seen)
    finally:
        for suffix in ("a", "b"):
            created = kda.describe_application(ApplicationName=f"{prefix}-{suffix}")["ApplicationDetail"]
            kda.delete_application(ApplicationName=f"{prefix}-{suffix}", CreateTimestamp=created["CreateTimestamp"])


# --- a NextToken the service never issued -----------------------------------------------------
def test_a_foreign_token_is_each_services_validation_error(localstack, glue_db, work_group):
    glue, athena = localstack.client("glue"), localstack.client("athena")
    assert refused(glue.get_tables, DatabaseName=glue_db, NextToken="not-a-token") == ("InvalidInputException", 400)
    assert refused(athena.list_named_queries, WorkGroup=work_group, NextToken="not-a-token") == (
        "InvalidRequestException", 400)


# --- an unknown resource ------------------------------------------------------------------------
def test_an_unknown_resource_is_each_services_not_found(localstack):
    missing = f"missing-{uuid.uuid4().hex[:8]}"
    glue = localstack.client("glue")
    assert refused(glue.get_database, Name=missing) == ("EntityNotFoundException", 400)
    assert refused(glue.get_crawler, Name=missing) == ("EntityNotFoundException", 400)
    athena = localstack.client("athena")
    assert refused(athena.get_work_group, WorkGroup=missing) == ("InvalidRequestException", 400)
    assert refused(athena.get_query_execution, QueryExecutionId=str(uuid.uuid4())) == (
        "InvalidRequestException", 400)
    assert refused(athena.list_tags_for_resource,
                   ResourceARN=f"arn:aws:athena:us-east-1:{ACCOUNT}:workgroup/{missing}") == (
        "ResourceNotFoundException", 400)
    firehose = localstack.client("firehose")
    assert refused(firehose.describe_delivery_stream, DeliveryStreamName=missing) == (
        "ResourceNotFoundException", 400)
    kda = localstack.client("kinesisanalytics")
    assert refused(kda.describe_application, ApplicationName=missing) == ("ResourceNotFoundException", 400)
    kinesis = localstack.client("kinesis")
    assert refused(kinesis.describe_stream_summary, StreamName=missing) == ("ResourceNotFoundException", 400)
