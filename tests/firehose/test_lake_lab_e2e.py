"""The sibling lab end to end, deployed as an attendee would: `labctl.labs.lake.lab` creates the
CloudFormation stack (bucket, roles, an inline-code Lambda, the Glue database, tables and
crawler, the lab's Firehose converting to Parquet); tab-separated Apache lines go into Kinesis; the Lambda makes JSON, Firehose
writes Parquet with the Glue table's schema; a Glue crawler catalogs the Parquet; Athena's
answers over the Parquet (declared and crawled tables) equal its answers over the raw
backup of the source lines and a computation in Python over the lines put; every Parquet
row equals the line it came from; deleting the stack removes everything it made."""
from __future__ import annotations

import io
import subprocess
import sys
import uuid
from collections import Counter
from datetime import UTC, datetime

import pyarrow.parquet as pq
import pytest
from labctl.data_lake import render_table
from labctl.labs.lake import feed
from labctl.labs.lake import lab as lake_lab

from tests.athena.conftest import rows as result_rows
from tests.athena.conftest import run
from tests.support.firehose_calls import objects, settled, wait_for

pytestmark = pytest.mark.localstack

QUERIES = [
    ("SELECT response, count(*) AS hits, sum(bytes) AS total FROM {t} WHERE response IS NOT NULL "
    "GROUP BY response ORDER BY response"),
    ("SELECT request, count(*) AS hits FROM {t} WHERE response IS NOT NULL GROUP BY request "
    "ORDER BY hits DESC, request LIMIT 5"),
    ("SELECT date_trunc('hour', datetime) AS hour, count(*) AS hits, approx_distinct(host) AS clients FROM {t} "
    "WHERE response IS NOT NULL GROUP BY 1 ORDER BY 1"),
    ("SELECT host, count(*) AS n, count(bytes) AS with_bytes FROM {t} WHERE response >= 400 "
    "GROUP BY host ORDER BY n DESC, host LIMIT 10"),
]


def tsv_line(i: int) -> bytes:
    moment = datetime(2026, 11, 3, 10 + i % 2, i % 60, i % 60, tzinfo=UTC).strftime("%Y-%m-%d %H:%M:%S")
    size = "-" if i % 10 == 0 else str(200 + i * 13 % 5000)
    fields = [f"172.16.{i % 3}.{i % 17}", moment, f"GET /products/{i % 6}/ HTTP/1.1", ("200", "404", "500")[i % 3],
              size, "-", ("Mozilla/5.0", "curl/8.4")[i % 2]]
    return ("\t".join(fields) + "\n").encode()


def sent_row(line: bytes) -> dict:
    """The row a tab-separated line should become, read independently of the stack's Lambda."""
    host, moment, request, status, size, referrer, agent = line.decode().rstrip("\n").split("\t")
    return {"host": host, "datetime": datetime.strptime(moment, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC),
            "request": request, "response": int(status), "bytes": None if size == "-" else int(size),
            "referrer": referrer, "agent": agent}


def delivered_rows(bodies: dict[str, bytes]) -> list[dict]:
    out = [row for body in bodies.values() for row in pq.read_table(io.BytesIO(body)).to_pylist()]
    for row in out:
        row["datetime"] = row["datetime"].replace(tzinfo=UTC)
    return out


def order(rows: list[dict]) -> list[dict]:
    return sorted(rows, key=lambda r: (r["host"], r["datetime"], r["request"], r["response"], r["bytes"] or -1))


def query(athena, sql: str, lake: dict) -> list[list]:
    execution = run(athena, sql, lake)
    assert execution["Status"]["State"] == "SUCCEEDED", (sql, execution["Status"])
    return result_rows(athena, execution["QueryExecutionId"])


def test_kinesis_tsv_to_parquet_crawled_and_queried(lake_localstack):
    bucket = f"lake-{uuid.uuid4().hex[:8]}"
    made = lake_lab.deploy(lake_localstack.url, bucket, buffer_interval=60)
    description = lake_localstack.client("firehose").describe_delivery_stream(
        DeliveryStreamName=made.delivery_stream)["DeliveryStreamDescription"]
    assert description["DeliveryStreamType"] == "KinesisStreamAsSource"
    lines = [tsv_line(i) for i in range(240)]
    kinesis = lake_localstack.client("kinesis")
    kinesis.put_records(StreamName=made.stream_name,
                        Records=[{"Data": line, "PartitionKey": str(i)} for i, line in enumerate(lines)])
    counts = wait_for(lambda: settled(lake_localstack, made.delivery_stream, len(lines)), timeout=90,
                      what="the lake delivery")
    assert counts["delivered"] == 240 and counts["backed_up"] == 240
    parquet = objects(lake_localstack, bucket, "parquet/")
    assert parquet and all(key.endswith(".parquet") for key in parquet)
    assert order(delivered_rows(parquet)) == order([sent_row(line) for line in lines]), \
        "every Parquet row equals the line it came from"

    glue = lake_localstack.client("glue")
    assert glue.get_crawler(Name=made.crawler)["Crawler"]["Targets"]["S3Targets"][0]["Path"] == f"s3://{bucket}/parquet/"
    glue.start_crawler(Name=made.crawler)
    wait_for(lambda: glue.get_crawler(Name=made.crawler)["Crawler"]["State"] == "READY"
             and glue.get_crawler(Name=made.crawler)["Crawler"].get("LastCrawl"), timeout=60,
             what="the stack's crawler")
    crawled = glue.get_table(DatabaseName=made.database, Name="parquet")["Table"]
    assert crawled["Parameters"]["classification"] == "parquet"
    assert [c["Name"] for c in crawled["StorageDescriptor"]["Columns"]] == [
        "host", "datetime", "request", "response", "bytes", "referrer", "agent"]

    athena = lake_localstack.client("athena")
    lake = {"bucket": bucket, "database": made.database, "output": f"s3://{bucket}/athena-results/"}
    for sql in QUERIES:
        declared = query(athena, sql.format(t="access_log_parquet"), lake)
        assert len(declared) > 1, sql
        assert query(athena, sql.format(t="parquet"), lake) == declared, f"crawled table: {sql}"
        assert query(athena, sql.format(t="access_log_raw"), lake) == declared, f"raw backup: {sql}"

    fields = [line.decode().rstrip("\n").split("\t") for line in lines]
    expected = Counter(f[3] for f in fields)
    totals = Counter()
    for f in fields:
        totals[f[3]] += int(f[4]) if f[4] != "-" else 0
    assert query(athena, QUERIES[0].format(t="parquet"), lake)[1:] == [
        [code, str(expected[code]), str(totals[code])] for code in sorted(expected)]

    # Deleting the stack removes what it made (the bucket emptied first, as AWS requires).
    s3 = lake_localstack.client("s3")
    for key in objects(lake_localstack, bucket, ""):
        s3.delete_object(Bucket=bucket, Key=key)
    cfn = lake_localstack.client("cloudformation")
    resources = cfn.describe_stack_resources(StackName=lake_lab.STACK)["StackResources"]
    function = next(r["PhysicalResourceId"] for r in resources if r["ResourceType"] == "AWS::Lambda::Function")
    roles = {r["PhysicalResourceId"] for r in resources if r["ResourceType"] == "AWS::IAM::Role"}
    assert len(roles) == 3
    cfn.delete_stack(StackName=lake_lab.STACK)

    wait_for(lambda: _stack_gone(cfn), timeout=120, what="the stack's deletion")
    assert made.database not in [d["Name"] for d in glue.get_databases()["DatabaseList"]]
    assert made.crawler not in glue.list_crawlers()["CrawlerNames"]
    assert made.delivery_stream not in lake_localstack.client("firehose").list_delivery_streams()["DeliveryStreamNames"]
    assert made.stream_name not in kinesis.list_streams()["StreamNames"]
    assert bucket not in [b["Name"] for b in s3.list_buckets()["Buckets"]]
    functions = [f["FunctionName"] for f in lake_localstack.client("lambda").list_functions()["Functions"]]
    assert function not in functions
    existing_roles = {r["RoleName"] for r in lake_localstack.client("iam").list_roles()["Roles"]}
    assert not existing_roles & roles, "the stack's roles are deleted with it"


def test_make_lake_lab_feeds_the_shops_traffic_and_ends_with_an_athena_result(lake_localstack):
    """`python -m labctl lake-lab` (what `make lake-lab` runs) deploys the stack, sends the shop's
    traffic through its Kinesis stream and prints Athena's answer over the Parquet: hits and
    bytes per status, equal to a count over the same visits' lines done here."""
    bucket = f"lake-{uuid.uuid4().hex[:8]}"
    run_cli = subprocess.run([sys.executable, "-m", "labctl", "lake-lab", "--endpoint", lake_localstack.url,
                              "--bucket", bucket, "--visits", "300"], check=False, capture_output=True, text=True,
                             timeout=600)
    assert run_cli.returncode == 0, run_cli.stdout + run_cli.stderr
    print(run_cli.stdout)
    fields = [line.rstrip("\n").split("\t") for line in feed.shop_lines(300, seed=1)]
    assert len({f[3] for f in fields}) > 1 and all(len(f) == 7 for f in fields)
    hits = Counter(f[3] for f in fields)

    def total_bytes(status: str) -> str | None:   # SQL's sum: NULL when every value is NULL ("-")
        sizes = [int(f[4]) for f in fields if f[3] == status and f[4] != "-"]
        return str(sum(sizes)) if sizes else None
    expected = [["response", "hits", "bytes"]] + [[s, str(hits[s]), total_bytes(s)] for s in sorted(hits)]
    assert render_table(expected) in run_cli.stdout, run_cli.stdout
    assert "300 of 300 rows in access_log_parquet" in run_cli.stdout

    s3 = lake_localstack.client("s3")
    for key in objects(lake_localstack, bucket, ""):
        s3.delete_object(Bucket=bucket, Key=key)
    lake_localstack.client("cloudformation").delete_stack(StackName=lake_lab.STACK)
    wait_for(lambda: _stack_gone(lake_localstack.client("cloudformation")), timeout=120, what="the stack's deletion")


def _stack_gone(cfn) -> bool:
    """By name, a deleted stack is gone (AWS: "Stack with id ... does not exist")."""
    try:
        return cfn.describe_stacks(StackName=lake_lab.STACK)["Stacks"][0]["StackStatus"] == "DELETE_COMPLETE"
    except cfn.exceptions.ClientError as error:
        return "does not exist" in str(error)


def test_the_shops_lines_in_the_lakes_format():
    """tsv_line keeps the fields the stack's LogFormat has, in UTC, escapes as Apache wrote them."""
    from generator.log_format import LoggedRequest, format_line
    moment = datetime(2026, 3, 1, 11, 30, 5, tzinfo=UTC).timestamp()
    request = LoggedRequest("2001:db8::1", moment, "GET", "/products/a?x=1", 404, 0, None,
                            'Mozilla/5.0 "quoted"', None, None)
    assert feed.tsv_line(format_line(request)) == (
        '2001:db8::1\t2026-03-01 11:30:05\tGET /products/a?x=1 HTTP/1.1\t404\t-\t-\tMozilla/5.0 \\"quoted\\"\n')
