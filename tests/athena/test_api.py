"""Athena's API around the queries, through boto3: work groups, named queries,
validation errors, idempotent ClientRequestToken, BatchGet, cancelling, and Trino
semantics that a naive translation would get wrong."""
from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.athena.conftest import query, run, unique

pytestmark = pytest.mark.localstack


def error(call, **kwargs) -> tuple[str, str]:
    with pytest.raises(ClientError) as err:
        call(**kwargs)
    return err.value.response["Error"]["Code"], err.value.response["Error"]["Message"]


def test_trino_semantics(athena, lake):
    got = query(athena, "SELECT 7 / 2, -7 / 2, 7.0 / 2, 7 % 3, length('ab'), "
                        "date_format(from_iso8601_timestamp('2026-11-03T04:29:26Z'), '%Y-%m-%d %H'), "
                        "url_extract_path('https://x.org/a/b?c=1'), split_part('a/b/c', '/', 2), "
                        "CAST(NULL AS varchar), true", lake)
    assert got[1] == ["3", "-3", "3.5", "1", "2", "2026-11-03 04", "/a/b", "b", None, "true"]


def test_output_location_and_work_groups(athena, lake):
    assert error(athena.start_query_execution, QueryString="SELECT 1") == (
        "InvalidRequestException", ("No output location provided. An output location is required either through "
                                    "the Workgroup result configuration setting or as an API input."))
    wg = unique("wg-")
    athena.create_work_group(Name=wg, Configuration={"ResultConfiguration": {"OutputLocation": lake["output"]}})
    assert athena.get_work_group(WorkGroup=wg)["WorkGroup"]["Configuration"]["ResultConfiguration"][
        "OutputLocation"] == lake["output"]
    assert wg in [w["Name"] for w in athena.list_work_groups()["WorkGroups"]]
    qid = athena.start_query_execution(QueryString="SELECT 1", WorkGroup=wg)["QueryExecutionId"]
    assert qid in athena.list_query_executions(WorkGroup=wg)["QueryExecutionIds"]
    assert qid not in athena.list_query_executions()["QueryExecutionIds"]
    assert error(athena.get_work_group, WorkGroup="no-such-wg")[0] == "InvalidRequestException"
    assert error(athena.create_work_group, Name=wg)[0] == "InvalidRequestException"
    athena.delete_work_group(WorkGroup=wg, RecursiveDeleteOption=True)
    assert error(athena.delete_work_group, WorkGroup="primary")[0] == "InvalidRequestException"


def test_named_queries(athena, lake):
    nid = athena.create_named_query(Name="top", Database=lake["database"], QueryString="SELECT 1")["NamedQueryId"]
    got = athena.get_named_query(NamedQueryId=nid)["NamedQuery"]
    assert (got["Name"], got["QueryString"], got["WorkGroup"]) == ("top", "SELECT 1", "primary")
    assert nid in athena.list_named_queries()["NamedQueryIds"]
    batch = athena.batch_get_named_query(NamedQueryIds=[nid, "00000000-0000-0000-0000-000000000000"])
    assert [q["NamedQueryId"] for q in batch["NamedQueries"]] == [nid]
    assert batch["UnprocessedNamedQueryIds"][0]["NamedQueryId"] == "00000000-0000-0000-0000-000000000000"
    athena.delete_named_query(NamedQueryId=nid)
    assert error(athena.get_named_query, NamedQueryId=nid)[0] == "InvalidRequestException"


def test_executions_api(athena, lake):
    kwargs = {"QueryString": "SELECT 1", "ResultConfiguration": {"OutputLocation": lake["output"]},
              "ClientRequestToken": unique("token-") + "x" * 32}
    first = athena.start_query_execution(**kwargs)["QueryExecutionId"]
    assert athena.start_query_execution(**kwargs)["QueryExecutionId"] == first
    assert error(athena.get_query_execution, QueryExecutionId="nope")[0] == "InvalidRequestException"
    batch = athena.batch_get_query_execution(QueryExecutionIds=[first, "nope"])
    assert [e["QueryExecutionId"] for e in batch["QueryExecutions"]] == [first]
    assert batch["UnprocessedQueryExecutionIds"][0]["QueryExecutionId"] == "nope"

    failed = run(athena, "SELECT * FROM missing_table", lake)
    assert failed["Status"]["AthenaError"]["ErrorCategory"] == 2
    code, message = error(athena.get_query_results, QueryExecutionId=failed["QueryExecutionId"])
    assert code == "InvalidRequestException" and "FAILED" in message

    done = run(athena, "SELECT 1", lake)
    athena.stop_query_execution(QueryExecutionId=done["QueryExecutionId"])   # no effect on a finished query
    assert athena.get_query_execution(QueryExecutionId=done["QueryExecutionId"])["QueryExecution"]["Status"][
        "State"] == "SUCCEEDED"
    stats = done["Statistics"]
    assert {"EngineExecutionTimeInMillis", "DataScannedInBytes", "TotalExecutionTimeInMillis",
            "QueryQueueTimeInMillis"} <= set(stats)


def test_cancel_a_running_query(athena, lake):
    qid = athena.start_query_execution(
        QueryString="SELECT count(*) FROM UNNEST(sequence(1, 100000000)) AS t(x) CROSS JOIN "
                    "UNNEST(sequence(1, 1000)) AS u(y)",
        ResultConfiguration={"OutputLocation": lake["output"]})["QueryExecutionId"]
    athena.stop_query_execution(QueryExecutionId=qid)
    status = athena.get_query_execution(QueryExecutionId=qid)["QueryExecution"]["Status"]
    assert status["State"] == "CANCELLED" and "CompletionDateTime" in status
    assert run(athena, "SELECT 2", lake)["Status"]["State"] == "SUCCEEDED"   # the worker is free again


def test_sql_cannot_reach_the_machines_files(athena, lake):
    for sql in ("SELECT * FROM read_text('/etc/passwd')", "SELECT * FROM read_csv('/etc/hostname')"):
        execution = run(athena, sql, lake)
        assert execution["Status"]["State"] == "FAILED", sql
        assert "passwd" not in str(rows_or_none(athena, execution))


def rows_or_none(athena, execution):
    try:
        return athena.get_query_results(QueryExecutionId=execution["QueryExecutionId"])
    except ClientError:
        return None


def test_history_and_results_survive_a_restart(localstack, athena, s3, lake):
    done = run(athena, "SELECT 'a,\"b\"' AS s, CAST(NULL AS varchar) AS n, '' AS e, 42 AS i", lake)
    failed = run(athena, "SELECT * FROM nope_after_restart", lake)
    before = athena.get_query_results(QueryExecutionId=done["QueryExecutionId"])["ResultSet"]
    key = f"athena-results/{done['QueryExecutionId']}.csv"
    files = {k: s3.get_object(Bucket=lake["bucket"], Key=k)["Body"].read() for k in (key, key + ".metadata")}
    localstack.restart()
    athena, s3 = localstack.client("athena"), localstack.client("s3")
    again = athena.get_query_execution(QueryExecutionId=done["QueryExecutionId"])["QueryExecution"]
    assert again["Status"]["State"] == "SUCCEEDED" and again["Query"] == done["Query"]
    assert athena.get_query_execution(QueryExecutionId=failed["QueryExecutionId"])["QueryExecution"][
        "Status"]["StateChangeReason"] == failed["Status"]["StateChangeReason"]
    assert done["QueryExecutionId"] in athena.list_query_executions()["QueryExecutionIds"]
    # the rows live in the OutputLocation (the native lab's S3 is not persistent: put them back)
    if lake["bucket"] not in [b["Name"] for b in s3.list_buckets()["Buckets"]]:
        s3.create_bucket(Bucket=lake["bucket"])
        for k, body in files.items():
            s3.put_object(Bucket=lake["bucket"], Key=k, Body=body)
    assert athena.get_query_results(QueryExecutionId=done["QueryExecutionId"])["ResultSet"] == before


def test_catalog_browsing(localstack, athena, lake):
    localstack.client("glue").create_table(DatabaseName=lake["database"], TableInput={
        "Name": "t1", "StorageDescriptor": {"Columns": [{"Name": "a", "Type": "int"}],
                                            "Location": f"s3://{lake['bucket']}/t1/"},
        "PartitionKeys": [{"Name": "dt", "Type": "string"}]})
    assert athena.list_data_catalogs()["DataCatalogsSummary"][0]["CatalogName"] == "AwsDataCatalog"
    assert lake["database"] in [d["Name"] for d in athena.list_databases(CatalogName="AwsDataCatalog")[
        "DatabaseList"]]
    meta = athena.get_table_metadata(CatalogName="AwsDataCatalog", DatabaseName=lake["database"],
                                     TableName="t1")["TableMetadata"]
    assert meta["Columns"] == [{"Name": "a", "Type": "int"}] and meta["PartitionKeys"] == [
        {"Name": "dt", "Type": "string"}]
    listed = athena.list_table_metadata(CatalogName="AwsDataCatalog", DatabaseName=lake["database"])
    assert [t["Name"] for t in listed["TableMetadataList"]] == ["t1"]
    assert error(athena.get_table_metadata, CatalogName="AwsDataCatalog", DatabaseName=lake["database"],
                 TableName="nope") == ("MetadataException", "EntityNotFoundException: Table nope not found.")
