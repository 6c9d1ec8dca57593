"""Athena through the SDK under test: every operation the lab's Athena tests use
(tests/athena), with the answers AWS's API reference gives them.

Query executions (start with a client request token, poll, results paged by NextToken and by
the SDK's paginator, a CTAS's data manifest through GetQueryResults' query string, stop, batch
get, list), work groups, named queries, the data catalog
browsed through Athena, tags on a work group ARN (an ARN with `/` goes into the URL path in
`rest-json`), errors (an unknown id, an operation the lab does not implement), and the
operations only newer SDKs have.
"""
from __future__ import annotations

import time
import uuid

from record import Record, expect

TERMINAL = ("SUCCEEDED", "FAILED", "CANCELLED")
ROWS = [(i, f"name-{i:02d}") for i in range(1, 26)]   # 25 rows: three pages of 10


def _unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:8]}"


def _wait(rec: Record, athena, query_id: str) -> dict:
    deadline = time.monotonic() + 60
    while True:
        execution = rec.call("athena", "GetQueryExecution",
                             lambda: athena.get_query_execution(QueryExecutionId=query_id))["QueryExecution"]
        if execution["Status"]["State"] in TERMINAL or time.monotonic() > deadline:
            return execution
        time.sleep(0.2)


def _run(rec: Record, athena, sql: str, lake: dict, **extra) -> dict:
    started = rec.call("athena", "StartQueryExecution", lambda: athena.start_query_execution(
        QueryString=sql, QueryExecutionContext={"Database": lake["database"]},
        ResultConfiguration={"OutputLocation": lake["output"]}, **extra))
    return _wait(rec, athena, started["QueryExecutionId"])


def _succeeded(rec: Record, athena, sql: str, lake: dict, **extra) -> dict:
    execution = _run(rec, athena, sql, lake, **extra)
    expect(execution["Status"]["State"] == "SUCCEEDED", f"{sql[:60]}: {execution['Status']}")
    return execution


def _lake(rec: Record, s3, glue) -> dict:
    bucket, database = _unique("compat-"), _unique("compat_")
    rec.call("s3", "CreateBucket", lambda: s3.create_bucket(Bucket=bucket))
    body = "".join(f"{i},{name}\n" for i, name in ROWS).encode()
    rec.call("s3", "PutObject", lambda: s3.put_object(Bucket=bucket, Key="data/people/p.csv", Body=body))
    rec.call("glue", "CreateDatabase", lambda: glue.create_database(DatabaseInput={"Name": database}))
    return {"bucket": bucket, "database": database, "output": f"s3://{bucket}/results/"}


def query_executions(rec: Record, athena, s3, glue) -> None:
    lake = _lake(rec, s3, glue)
    _succeeded(rec, athena, "CREATE EXTERNAL TABLE people (id int, name string) ROW FORMAT DELIMITED "
                            f"FIELDS TERMINATED BY ',' LOCATION 's3://{lake['bucket']}/data/people/'", lake)
    token = str(uuid.uuid4())
    execution = _succeeded(rec, athena, "SELECT id, name FROM people ORDER BY id", lake,
                           ClientRequestToken=token)
    query_id = execution["QueryExecutionId"]
    expect(execution["Query"].startswith("SELECT id, name") and execution["StatementType"] == "DML"
           and execution["ResultConfiguration"]["OutputLocation"] == f"{lake['output']}{query_id}.csv"
           and execution["Status"]["SubmissionDateTime"] <= execution["Status"]["CompletionDateTime"],
           f"GetQueryExecution's answer: {execution}")
    rec.call("athena", "StartQueryExecution (same ClientRequestToken)",
             lambda: athena.start_query_execution(
                 QueryString="SELECT id, name FROM people ORDER BY id",
                 QueryExecutionContext={"Database": lake["database"]},
                 ResultConfiguration={"OutputLocation": lake["output"]}, ClientRequestToken=token),
             lambda r: r["QueryExecutionId"] == query_id, f"the first call's id {query_id}")

    pages, token = [], None
    while True:
        kwargs = {"QueryExecutionId": query_id, "MaxResults": 10, **({"NextToken": token} if token else {})}
        page = rec.call("athena", "GetQueryResults", lambda kwargs=kwargs: athena.get_query_results(**kwargs))
        pages.append(page)
        token = page.get("NextToken")
        if not token:
            break
    rows = [[d.get("VarCharValue") for d in r["Data"]] for p in pages for r in p["ResultSet"]["Rows"]]
    columns = pages[0]["ResultSet"]["ResultSetMetadata"]["ColumnInfo"]
    expect(len(pages) == 3 and rows == [["id", "name"]] + [[str(i), n] for i, n in ROWS]
           and [(c["Name"], c["Type"]) for c in columns] == [("id", "integer"), ("name", "varchar")],
           f"GetQueryResults pages: {len(pages)} pages, rows {rows[:3]}..., columns {columns}")
    paginated = rec.call("athena", "GetQueryResults (paginator)", lambda: [
        row for page in athena.get_paginator("get_query_results").paginate(
            QueryExecutionId=query_id, PaginationConfig={"PageSize": 7})
        for row in page["ResultSet"]["Rows"]])
    expect(len(paginated) == len(ROWS) + 1, f"paginator rows: {len(paginated)}")

    ctas = _succeeded(rec, athena, "CREATE TABLE people_by_half WITH (format = 'TEXTFILE', "
                                   f"external_location = 's3://{lake['bucket']}/ctas/', partitioned_by = ARRAY['half']) "
                                   "AS SELECT id, name, id > 12 AS half FROM people", lake)
    bucket, key = ctas["Statistics"]["DataManifestLocation"][len("s3://"):].split("/", 1)
    written = rec.call("s3", "GetObject", lambda: s3.get_object(Bucket=bucket, Key=key)["Body"].read())
    rec.call("athena", "GetQueryResults (DATA_MANIFEST)", lambda: athena.get_query_results(
        QueryExecutionId=ctas["QueryExecutionId"], QueryResultType="DATA_MANIFEST"),
        lambda r: [row["Data"][0]["VarCharValue"] for row in r["ResultSet"]["Rows"]]
        == written.decode().splitlines() and len(r["ResultSet"]["Rows"]) == 2,
        "the manifest's two files (one per partition)")
    rec.fails_with("athena", "GetQueryResults (DATA_MANIFEST of a SELECT)", lambda: athena.get_query_results(
        QueryExecutionId=query_id, QueryResultType="DATA_MANIFEST"), "InvalidRequestException", "DATA_MANIFEST")

    failed = _run(rec, athena, "SELECT * FROM no_such_table", lake)
    expect(failed["Status"]["State"] == "FAILED"
           and "TABLE_NOT_FOUND" in failed["Status"].get("StateChangeReason", ""),
           f"a query of a missing table: {failed['Status']}")
    rec.fails_with("athena", "GetQueryExecution (unknown id)",
                   lambda: athena.get_query_execution(QueryExecutionId=str(uuid.uuid4())),
                   "InvalidRequestException")

    started = rec.call("athena", "StartQueryExecution", lambda: athena.start_query_execution(
        QueryString="SELECT count(*) FROM people", QueryExecutionContext={"Database": lake["database"]},
        ResultConfiguration={"OutputLocation": lake["output"]}))["QueryExecutionId"]
    rec.call("athena", "StopQueryExecution", lambda: athena.stop_query_execution(QueryExecutionId=started))
    expect(_wait(rec, athena, started)["Status"]["State"] in ("CANCELLED", "SUCCEEDED"),
           "a stopped query ends CANCELLED (or SUCCEEDED when it ended first)")

    unknown = str(uuid.uuid4())
    rec.call("athena", "BatchGetQueryExecution",
             lambda: athena.batch_get_query_execution(QueryExecutionIds=[query_id, failed["QueryExecutionId"], unknown]),
             lambda r: sorted(e["QueryExecutionId"] for e in r["QueryExecutions"])
             == sorted([query_id, failed["QueryExecutionId"]])
             and [u["QueryExecutionId"] for u in r["UnprocessedQueryExecutionIds"]] == [unknown],
             "both known executions and the unknown id as unprocessed")
    listed = rec.call("athena", "ListQueryExecutions (paged)", lambda: [
        qid for page in athena.get_paginator("list_query_executions").paginate(
            WorkGroup="primary", PaginationConfig={"PageSize": 2})
        for qid in page["QueryExecutionIds"]])
    expect({query_id, failed["QueryExecutionId"], started} <= set(listed), "ListQueryExecutions lists them")


def work_groups_and_tags(rec: Record, athena, sts) -> None:
    name, output = _unique("compat-wg-"), f"s3://{_unique('compat-')}/wg/"
    rec.call("athena", "CreateWorkGroup", lambda: athena.create_work_group(
        Name=name, Description="first", Tags=[{"Key": "team", "Value": "lab"}],
        Configuration={"ResultConfiguration": {"OutputLocation": output},
                       "EnforceWorkGroupConfiguration": True}))
    rec.call("athena", "GetWorkGroup", lambda: athena.get_work_group(WorkGroup=name),
             lambda r: r["WorkGroup"]["Configuration"]["ResultConfiguration"]["OutputLocation"] == output
             and r["WorkGroup"]["State"] == "ENABLED", f"the work group with {output}")
    rec.call("athena", "UpdateWorkGroup", lambda: athena.update_work_group(
        WorkGroup=name, Description="second", State="DISABLED"))
    rec.call("athena", "GetWorkGroup", lambda: athena.get_work_group(WorkGroup=name),
             lambda r: r["WorkGroup"]["Description"] == "second" and r["WorkGroup"]["State"] == "DISABLED",
             "the updated description and state")
    rec.call("athena", "ListWorkGroups", lambda: athena.list_work_groups(),
             lambda r: {"primary", name} <= {w["Name"] for w in r["WorkGroups"]}, "primary and the new one")
    account = rec.call("sts", "GetCallerIdentity", lambda: sts.get_caller_identity())["Account"]
    arn = f"arn:aws:athena:us-east-1:{account}:workgroup/{name}"
    rec.call("athena", "TagResource", lambda: athena.tag_resource(
        ResourceARN=arn, Tags=[{"Key": "stage", "Value": "two"}]))
    rec.call("athena", "UntagResource", lambda: athena.untag_resource(ResourceARN=arn, TagKeys=["team"]))
    rec.call("athena", "ListTagsForResource", lambda: athena.list_tags_for_resource(ResourceARN=arn),
             lambda r: r["Tags"] == [{"Key": "stage", "Value": "two"}], "only stage=two")
    rec.call("athena", "DeleteWorkGroup", lambda: athena.delete_work_group(WorkGroup=name))
    rec.fails_with("athena", "GetWorkGroup (deleted)", lambda: athena.get_work_group(WorkGroup=name),
                   "InvalidRequestException")


def named_queries(rec: Record, athena) -> None:
    database = _unique("compat_")
    ids = [rec.call("athena", "CreateNamedQuery", lambda n=n: athena.create_named_query(
        Name=f"q{n}", Database=database, QueryString=f"SELECT {n}", Description=f"query {n}"))["NamedQueryId"]
        for n in (1, 2)]
    rec.call("athena", "GetNamedQuery", lambda: athena.get_named_query(NamedQueryId=ids[0]),
             lambda r: r["NamedQuery"]["QueryString"] == "SELECT 1" and r["NamedQuery"]["Database"] == database,
             "the first query's text and database")
    rec.call("athena", "ListNamedQueries", lambda: athena.list_named_queries(WorkGroup="primary"),
             lambda r: set(ids) <= set(r["NamedQueryIds"]), "both ids")
    unknown = str(uuid.uuid4())
    rec.call("athena", "BatchGetNamedQuery", lambda: athena.batch_get_named_query(NamedQueryIds=[*ids, unknown]),
             lambda r: sorted(q["NamedQueryId"] for q in r["NamedQueries"]) == sorted(ids)
             and [u["NamedQueryId"] for u in r["UnprocessedNamedQueryIds"]] == [unknown],
             "both queries and the unknown id as unprocessed")
    for named in ids:
        rec.call("athena", "DeleteNamedQuery", lambda named=named: athena.delete_named_query(NamedQueryId=named))
    rec.fails_with("athena", "GetNamedQuery (deleted)", lambda: athena.get_named_query(NamedQueryId=ids[0]),
                   "InvalidRequestException")


def data_catalog(rec: Record, athena, s3, glue) -> None:
    lake = _lake(rec, s3, glue)
    _succeeded(rec, athena, "CREATE EXTERNAL TABLE people (id int, name string) ROW FORMAT DELIMITED "
                            f"FIELDS TERMINATED BY ',' LOCATION 's3://{lake['bucket']}/data/people/'", lake)
    rec.call("athena", "ListDataCatalogs", lambda: athena.list_data_catalogs(),
             lambda r: "AwsDataCatalog" in {c["CatalogName"] for c in r["DataCatalogsSummary"]}, "AwsDataCatalog")
    rec.call("athena", "GetDataCatalog", lambda: athena.get_data_catalog(Name="AwsDataCatalog"),
             lambda r: r["DataCatalog"]["Type"] == "GLUE", "Type GLUE")
    rec.call("athena", "ListDatabases", lambda: athena.list_databases(CatalogName="AwsDataCatalog"),
             lambda r: lake["database"] in {d["Name"] for d in r["DatabaseList"]}, lake["database"])
    rec.call("athena", "GetDatabase", lambda: athena.get_database(
        CatalogName="AwsDataCatalog", DatabaseName=lake["database"]),
        lambda r: r["Database"]["Name"] == lake["database"], lake["database"])
    rec.call("athena", "ListTableMetadata", lambda: athena.list_table_metadata(
        CatalogName="AwsDataCatalog", DatabaseName=lake["database"]),
        lambda r: [t["Name"] for t in r["TableMetadataList"]] == ["people"], "the one table")
    rec.call("athena", "GetTableMetadata", lambda: athena.get_table_metadata(
        CatalogName="AwsDataCatalog", DatabaseName=lake["database"], TableName="people"),
        lambda r: [(c["Name"], c["Type"]) for c in r["TableMetadata"]["Columns"]] == [("id", "int"), ("name", "string")],
        "columns id int, name string")


def not_implemented(rec: Record, athena) -> None:
    """Operations the lab does not implement (prepared statements, and those only newer SDKs
    know) answer 400 InvalidRequestException naming the operation, in either protocol."""
    rec.fails_with("athena", "CreatePreparedStatement", lambda: athena.create_prepared_statement(
        StatementName="s1", WorkGroup="primary", QueryStatement="SELECT ?"),
        "InvalidRequestException", "CreatePreparedStatement is not supported by the lab")
    rec.fails_with("athena", "BatchGetPreparedStatement", lambda: athena.batch_get_prepared_statement(
        PreparedStatementNames=["s1"], WorkGroup="primary"),
        "InvalidRequestException", "BatchGetPreparedStatement is not supported by the lab")
    if hasattr(athena, "get_system_table_configuration"):   # botocore 1.44.18's model on
        rec.fails_with("athena", "GetSystemTableConfiguration",
                       lambda: athena.get_system_table_configuration(TableName="query_history"),
                       "InvalidRequestException", "GetSystemTableConfiguration is not supported by the lab")


def run_all(rec: Record, clients) -> None:
    athena, s3, glue, sts = (clients(s) for s in ("athena", "s3", "glue", "sts"))
    for name, scenario in (("query executions", lambda: query_executions(rec, athena, s3, glue)),
                           ("work groups", lambda: work_groups_and_tags(rec, athena, sts)),
                           ("named queries", lambda: named_queries(rec, athena)),
                           ("data catalog", lambda: data_catalog(rec, athena, s3, glue)),
                           ("not implemented", lambda: not_implemented(rec, athena))):
        with rec.scenario(f"athena {name}"):
            scenario()
