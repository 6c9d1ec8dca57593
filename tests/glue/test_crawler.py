"""Glue crawlers through boto3 against the native lab: the state machine, a crawl of
the workshop's backup (columns and types as the ETL's README documents them,
partitions as the S3 keys), Hive-style folders, re-crawls, Parquet, errors."""
from __future__ import annotations

import uuid

import pytest
from botocore.exceptions import ClientError

from tests.glue.lake_data import HOURS, write_backup
from tests.support.example_answers import ETL_DOCUMENT
from tests.support.waiting import wait_for

pytestmark = pytest.mark.localstack

ROLE = "arn:aws:iam::000000000000:role/lab-glue-crawler"



@pytest.fixture()
def glue(localstack):
    return localstack.client("glue")


@pytest.fixture()
def setup(localstack, glue):
    bucket = f"backup-{uuid.uuid4().hex[:8]}"
    localstack.client("s3").create_bucket(Bucket=bucket)
    db = f"lake_{uuid.uuid4().hex[:8]}"
    glue.create_database(DatabaseInput={"Name": db})
    return bucket, db


def crawl(glue, name: str) -> dict:
    glue.start_crawler(Name=name)
    states = []

    def ready():
        crawler = glue.get_crawler(Name=name)["Crawler"]
        states.append(crawler["State"])
        return crawler if crawler["State"] == "READY" else None

    crawler = wait_for(ready, timeout=60, interval=0.05, what=f"crawler {name}")
    assert "RUNNING" in states or "STOPPING" in states
    return crawler


def test_crawl_of_the_backup_matches_the_etl_document(localstack, glue, setup):
    bucket, db = setup
    written = write_backup(localstack.client("s3"), bucket)
    glue.create_crawler(Name=f"c-{db}", Role=ROLE, DatabaseName=db,
                        Targets={"S3Targets": [{"Path": f"s3://{bucket}/apache_"}]})
    assert glue.get_crawler(Name=f"c-{db}")["Crawler"]["State"] == "READY"
    crawler = crawl(glue, f"c-{db}")
    assert crawler["LastCrawl"]["Status"] == "SUCCEEDED"

    table = glue.get_table(DatabaseName=db, Name="apache_")["Table"]
    columns = {c["Name"]: c["Type"] for c in table["StorageDescriptor"]["Columns"]}
    seen_keys = {k for docs in written.values() for d in docs for k in d}
    assert columns == {k: v for k, v in ETL_DOCUMENT.items() if k in seen_keys}
    assert table["Parameters"]["classification"] == "json"
    assert table["StorageDescriptor"]["SerdeInfo"]["SerializationLibrary"] == "org.openx.data.jsonserde.JsonSerDe"
    assert [k["Name"] for k in table["PartitionKeys"]] == ["partition_0", "partition_1", "partition_2",
                                                           "partition_3"]
    parts = glue.get_partitions(DatabaseName=db, TableName="apache_")["Partitions"]
    assert sorted(p["Values"] for p in parts) == sorted(h.split("/") for h in HOURS)
    for p in parts:
        assert p["StorageDescriptor"]["Location"] == f"s3://{bucket}/apache_{'/'.join(p['Values'])}/"
    metrics = glue.get_crawler_metrics(CrawlerNameList=[f"c-{db}"])["CrawlerMetricsList"][0]
    assert metrics["TablesCreated"] == 1

    # a re-crawl adds the new hour and a new column, keeps the rest
    s3 = localstack.client("s3")
    s3.put_object(Bucket=bucket, Key="apache_2026/11/05/07/apache-backup-1-x",
                  Body=b'{"Host": "10.1.1.1", "response": 200, "geo_country": "GB"}\n')   # keys are case-insensitive
    crawl(glue, f"c-{db}")
    table = glue.get_table(DatabaseName=db, Name="apache_")["Table"]
    names = [c["Name"] for c in table["StorageDescriptor"]["Columns"]]
    assert names[-1] == "geo_country" and set(names[:-1]) == set(columns)
    parts = glue.get_partitions(DatabaseName=db, TableName="apache_")["Partitions"]
    assert ["2026", "11", "05", "07"] in [p["Values"] for p in parts] and len(parts) == len(HOURS) + 1


def test_hive_partitions_and_csv(localstack, glue, setup):
    bucket, db = setup
    s3 = localstack.client("s3")
    s3.put_object(Bucket=bucket, Key="events/year=2026/month=01/a.csv", Body=b"id,name,score\n1,a,1.5\n2,b,2.5\n")
    s3.put_object(Bucket=bucket, Key="events/year=2026/month=02/b.csv", Body=b"id,name,score\n3,c,0.5\n")
    s3.put_object(Bucket=bucket, Key="events/_SUCCESS", Body=b"")
    glue.create_crawler(Name=f"h-{db}", Role=ROLE, DatabaseName=db, TablePrefix="raw_",
                        Targets={"S3Targets": [{"Path": f"s3://{bucket}/events/"}]})
    crawl(glue, f"h-{db}")
    table = glue.get_table(DatabaseName=db, Name="raw_events")["Table"]
    assert table["Parameters"]["classification"] == "csv"
    assert [(c["Name"], c["Type"]) for c in table["StorageDescriptor"]["Columns"]] == [
        ("id", "bigint"), ("name", "string"), ("score", "double")]
    assert [k["Name"] for k in table["PartitionKeys"]] == ["year", "month"]
    parts = glue.get_partitions(DatabaseName=db, TableName="raw_events")["Partitions"]
    assert sorted(p["Values"] for p in parts) == [["2026", "01"], ["2026", "02"]]


def test_state_machine_errors(glue, setup):
    _, db = setup
    name = f"e-{db}"
    targets = {"S3Targets": [{"Path": "s3://nowhere/x/"}]}
    glue.create_crawler(Name=name, Role=ROLE, DatabaseName=db, Targets=targets)
    with pytest.raises(ClientError) as err:
        glue.create_crawler(Name=name, Role=ROLE, DatabaseName=db, Targets=targets)
    assert err.value.response["Error"]["Code"] == "AlreadyExistsException"
    with pytest.raises(ClientError) as err:
        glue.stop_crawler(Name=name)
    assert err.value.response["Error"]["Code"] == "CrawlerNotRunningException"
    with pytest.raises(ClientError) as err:
        glue.get_crawler(Name="missing-crawler")
    assert err.value.response["Error"]["Code"] == "EntityNotFoundException"
    crawler = crawl(glue, name)     # a missing bucket fails the crawl, not the API
    assert crawler["LastCrawl"]["Status"] == "FAILED" and crawler["LastCrawl"]["ErrorMessage"]
    assert name in glue.list_crawlers()["CrawlerNames"]
    glue.delete_crawler(Name=name)
    assert name not in [c["Name"] for c in glue.get_crawlers()["Crawlers"]]


def test_stop_crawler_cancels_the_crawl(localstack, glue, setup):
    bucket, db = setup
    s3 = localstack.client("s3")
    for i in range(300):
        s3.put_object(Bucket=bucket, Key=f"many/2026/11/03/{i % 24:02d}/obj-{i:04d}", Body=b'{"a": 1}\n')
    name = f"s-{db}"
    glue.create_crawler(Name=name, Role=ROLE, DatabaseName=db, Targets={"S3Targets": [{"Path": f"s3://{bucket}/many/"}]})
    glue.start_crawler(Name=name)
    with pytest.raises(ClientError) as err:
        glue.start_crawler(Name=name)
    assert err.value.response["Error"]["Code"] == "CrawlerRunningException"
    glue.stop_crawler(Name=name)
    assert glue.get_crawler(Name=name)["Crawler"]["State"] == "STOPPING"
    crawler = wait_for(lambda: (c := glue.get_crawler(Name=name)["Crawler"])["State"] == "READY" and c,
                       timeout=60, interval=0.05)
    assert crawler["LastCrawl"]["Status"] == "CANCELLED"
    assert glue.get_tables(DatabaseName=db)["TableList"] == []


def test_catalog_target_crawl_adds_the_tables_own_partitions(localstack, glue, setup):
    """The Parquet module's shape: a partitioned table declared first (year/month/day/hour,
    Parquet SerDe), Firehose's `YYYY/MM/dd/HH/` folders under its location, and a crawler whose
    only target is that table. The crawl adds the folders as partitions under the table's own
    keys and SerDe, and Athena then finds every 404 line."""
    import io

    import pyarrow as pa
    import pyarrow.parquet as pq

    from tests.athena.conftest import query

    bucket, db = setup
    s3 = localstack.client("s3")
    lines = [{"host": f"10.0.0.{i}", "request": f"/p/{i}", "status": ["200", "404", "500"][i % 3]} for i in range(42)]
    hours = ["2026/11/03/04", "2026/11/03/05", "2026/11/04/00"]
    for h, hour in enumerate(hours):
        body = io.BytesIO()
        pq.write_table(pa.Table.from_pylist(lines[h::3]), body)
        s3.put_object(Bucket=bucket, Key=f"parquet/{hour}/delivery-{h}.parquet", Body=body.getvalue())
    glue.create_table(DatabaseName=db, TableInput={
        "Name": "access_logs_parquet", "TableType": "EXTERNAL_TABLE",
        "PartitionKeys": [{"Name": k, "Type": "string"} for k in ("year", "month", "day", "hour")],
        "StorageDescriptor": {
            "Columns": [{"Name": "host", "Type": "string"}, {"Name": "request", "Type": "string"},
                        {"Name": "status", "Type": "string"}],
            "Location": f"s3://{bucket}/parquet/",
            "InputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
            "OutputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
            "SerdeInfo": {"SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"}}})
    name = f"c-{db}"
    glue.create_crawler(Name=name, Role=ROLE,
                        Targets={"CatalogTargets": [{"DatabaseName": db, "Tables": ["access_logs_parquet"]}]},
                        SchemaChangePolicy={"UpdateBehavior": "UPDATE_IN_DATABASE", "DeleteBehavior": "LOG"})
    assert crawl(glue, name)["LastCrawl"]["Status"] == "SUCCEEDED"

    parts = glue.get_partitions(DatabaseName=db, TableName="access_logs_parquet")["Partitions"]
    assert sorted(p["Values"] for p in parts) == sorted(h.split("/") for h in hours)
    for p in parts:
        assert p["StorageDescriptor"]["Location"] == f"s3://{bucket}/parquet/{'/'.join(p['Values'])}/"
        assert p["StorageDescriptor"]["SerdeInfo"]["SerializationLibrary"].endswith("ParquetHiveSerDe")
    assert glue.get_crawler_metrics(CrawlerNameList=[name])["CrawlerMetricsList"][0]["TablesCreated"] == 0

    lake = {"database": db, "output": f"s3://{bucket}/athena-results/", "bucket": bucket}
    got = query(localstack.client("athena"), "SELECT * FROM access_logs_parquet WHERE status = '404'", lake)
    assert got[0] == ["host", "request", "status", "year", "month", "day", "hour"]
    expected = sorted([d["host"], d["request"], d["status"], *hours[i % 3].split("/")]
                      for i, d in enumerate(lines) if d["status"] == "404")
    assert sorted(got[1:]) == expected and len(expected) == 14


def test_catalog_target_of_a_missing_table_fails_and_other_targets_are_refused(glue, setup):
    _, db = setup
    name = f"c-{db}"
    glue.create_crawler(Name=name, Role=ROLE,
                        Targets={"CatalogTargets": [{"DatabaseName": db, "Tables": ["no_such_table"]}]})
    crawler = crawl(glue, name)
    assert crawler["LastCrawl"]["Status"] == "FAILED"
    assert "no_such_table" in crawler["LastCrawl"]["ErrorMessage"]
    for targets in ({"JdbcTargets": [{"ConnectionName": "c", "Path": "db/%"}]},
                    {"DynamoDBTargets": [{"Path": "table"}]},
                    {"CatalogTargets": [{"DatabaseName": db, "Tables": ["t"], "EventQueueArn": "arn:aws:sqs:x"}]}):
        with pytest.raises(ClientError) as refused:
            glue.create_crawler(Name=f"{name}-x", Role=ROLE, DatabaseName=db, Targets=targets)
        assert refused.value.response["Error"]["Code"] == "InvalidInputException"
        assert next(iter(targets)) in refused.value.response["Error"]["Message"] or \
            "EventQueueArn" in refused.value.response["Error"]["Message"]
