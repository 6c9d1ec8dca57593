"""The workshop's data lake in LocalStack, through the Glue and Athena APIs: the Glue
database and the crawler over the Firehose backup (provisioning), a crawl on demand,
the example Athena queries (services/lab/athena/example_queries.sql) run and printed
as tables, and the counts `make status` shows."""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

from botocore.exceptions import BotoCoreError, ClientError

from labctl import settings as lab
from labctl.errors import LabTimeout
from labctl.waiting import wait_until

LOG = logging.getLogger(__name__)
_NAME = re.compile(r"^-- name:\s*(\w+)\s*$", re.MULTILINE)
FIREHOSE_ERRORS = ("AmazonOpenSearchService-failed/**", "elasticsearch-failed/**")
# Below the path `s3://<bucket>/apache_` the lab's backup is only Firehose's time folders
# (`2026/12/07/00/...`); keys that go on with anything else belong to a prefix that merely starts
# like the lab's (an attendee's `apache_me_`): not the lab's table (Glue's exclude globs take
# `[!...]` bracket negation, as fnmatch does).
OTHER_PREFIXES = "[!0-9]*/**"


@dataclass(frozen=True)
class DataLake:
    """Where the lake lives (the lab's names by default; tests pass their own)."""

    database: str = lab.GLUE_DATABASE
    crawler: str = lab.CRAWLER_NAME
    bucket: str = lab.BACKUP_BUCKET
    prefix: str = lab.BACKUP_PREFIX
    output: str = lab.ATHENA_OUTPUT


def ensure_data_lake(glue, role_arn: str, lake: DataLake = DataLake()) -> None:
    """The Glue database and the crawler over s3://<bucket>/<prefix> (idempotent)."""
    try:
        glue.create_database(DatabaseInput={"Name": lake.database,
                                            "Description": "Clickstream Lab: the Firehose backup"})
        LOG.info("Glue database %s created", lake.database)
    except glue.exceptions.AlreadyExistsException:
        LOG.info("Glue database %s exists", lake.database)
    # Firehose writes documents it could not index under <prefix>AmazonOpenSearchService-failed/
    # (other fields): they are not the backup's table, so the crawler leaves them out, and what
    # other prefixes starting like the lab's hold.
    targets = {"S3Targets": [{"Path": f"s3://{lake.bucket}/{lake.prefix}",
                              "Exclusions": [*FIREHOSE_ERRORS, OTHER_PREFIXES]}]}
    try:
        glue.create_crawler(Name=lake.crawler, Role=role_arn, DatabaseName=lake.database, Targets=targets,
                            Description="Schema and partitions of the workshop's S3 backup")
        LOG.info("Glue crawler %s created", lake.crawler)
    except glue.exceptions.AlreadyExistsException:
        current = glue.get_crawler(Name=lake.crawler)["Crawler"]
        if current["Targets"].get("S3Targets") != targets["S3Targets"] and current["State"] == "READY":
            glue.update_crawler(Name=lake.crawler, Role=role_arn, DatabaseName=lake.database, Targets=targets)
            LOG.info("Glue crawler %s updated", lake.crawler)


def crawl(glue, lake: DataLake = DataLake(), timeout: float = 600) -> dict:
    """Start the crawler (unless running) and wait until it is READY again."""
    try:
        glue.start_crawler(Name=lake.crawler)
    except glue.exceptions.CrawlerRunningException:
        pass

    def ready_crawler() -> dict | None:
        crawler = glue.get_crawler(Name=lake.crawler)["Crawler"]
        return crawler if crawler["State"] == "READY" else None

    return wait_until(ready_crawler, timeout, 0.2, what=f"crawler {lake.crawler} to be READY")


def example_queries(path: Path = lab.EXAMPLE_QUERIES) -> dict[str, str]:
    """name -> SQL of each `-- name: <name>` block (the trailing `;` removed)."""
    text = path.read_text(encoding="utf-8")
    marks = list(_NAME.finditer(text))
    queries = {}
    for index, mark in enumerate(marks):
        body = text[mark.end():marks[index + 1].start() if index + 1 < len(marks) else len(text)]
        sql = "\n".join(line for line in body.splitlines() if not line.lstrip().startswith("--")).strip()
        queries[mark.group(1)] = sql.rstrip(";").strip()
    return queries


def run_query(athena, sql: str, lake: DataLake = DataLake(), timeout: float = 600,
              work_group: str | None = None) -> tuple[dict, list[list]]:
    """(QueryExecution, rows with the header first) of one query, as a boto3 user runs it."""
    query_id = athena.start_query_execution(
        QueryString=sql, QueryExecutionContext={"Database": lake.database},
        ResultConfiguration={"OutputLocation": lake.output},
        **({"WorkGroup": work_group} if work_group else {}))["QueryExecutionId"]

    def finished_execution() -> dict | None:
        execution = athena.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]
        return execution if execution["Status"]["State"] in ("SUCCEEDED", "FAILED", "CANCELLED") else None

    try:
        # every 20 ms for a second, then every 0.5 s: a short query is seen done at once,
        # a long one is polled gently
        execution = wait_until(finished_execution, timeout, 0.02, what=f"query {query_id} to finish",
                               then_every=0.5)
    except LabTimeout:
        athena.stop_query_execution(QueryExecutionId=query_id)
        raise
    rows: list[list] = []
    if execution["Status"]["State"] == "SUCCEEDED":
        for page in athena.get_paginator("get_query_results").paginate(QueryExecutionId=query_id):
            rows += [[cell.get("VarCharValue") for cell in row["Data"]] for row in page["ResultSet"]["Rows"]]
    return execution, rows


def render_table(rows: list[list]) -> str:
    if not rows:
        return "(no rows)"
    cells = [["NULL" if value is None else str(value) for value in row] for row in rows]
    widths = [max(len(row[column]) for row in cells) for column in range(len(cells[0]))]
    rule = "+".join("-" * (width + 2) for width in widths)
    lines = [" " + " | ".join(cell.ljust(width) for cell, width in zip(row, widths)) for row in cells]
    return "\n".join([lines[0], rule, *lines[1:]])


def status_counts(glue, athena, lake: DataLake = DataLake()) -> dict:
    """Crawler state, tables and partitions in the database, and query executions by state."""
    counts: dict = {}
    try:
        crawler = glue.get_crawler(Name=lake.crawler)["Crawler"]
        counts["crawler"] = {"name": lake.crawler, "state": crawler["State"],
                             "last_crawl": crawler.get("LastCrawl", {}).get("Status", "never")}
        tables = glue.get_tables(DatabaseName=lake.database)["TableList"]
        counts["tables"] = {table["Name"]: len(glue.get_partitions(DatabaseName=lake.database,
                                                                   TableName=table["Name"])["Partitions"])
                            for table in tables}
        query_ids = [query_id for page in athena.get_paginator("list_query_executions").paginate()
                     for query_id in page["QueryExecutionIds"]]
        states: dict[str, int] = {}
        for start in range(0, len(query_ids), 50):  # BatchGetQueryExecution takes up to 50 ids
            batch = athena.batch_get_query_execution(QueryExecutionIds=query_ids[start:start + 50])
            for execution in batch["QueryExecutions"]:
                state = execution["Status"]["State"]
                states[state] = states.get(state, 0) + 1
        counts["queries"] = states
    except (ClientError, BotoCoreError) as err:
        LOG.debug("data lake not readable: %s", err)
    return counts
