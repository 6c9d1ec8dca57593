"""`make athena`: crawl the backup, then run the example Athena queries and print their results."""
from __future__ import annotations

import argparse
import sys

from labctl import aws_clients, data_lake, lab_running
from labctl import settings as lab


def run(settings: lab.LabSettings, args: argparse.Namespace) -> int:
    """Crawl the backup, then run the example Athena queries and print their results."""
    queries = data_lake.example_queries()
    if args.query and args.query not in queries:
        print(f"error: no query named {args.query!r} in {lab.EXAMPLE_QUERIES} "
              f"(known: {', '.join(queries)})", file=sys.stderr)
        return 2
    lab_running.require(settings)
    clients = aws_clients.connect(settings.localstack_url)
    if not args.no_crawl:
        crawler = data_lake.crawl(clients("glue"))
        print(f"crawler {lab.CRAWLER_NAME}: last crawl {crawler.get('LastCrawl', {}).get('Status')}")
    failed = 0
    for name, sql in queries.items():
        if args.query and name != args.query:
            continue
        execution, rows = data_lake.run_query(clients("athena"), sql)
        status = execution["Status"]
        seconds = execution["Statistics"]["TotalExecutionTimeInMillis"] / 1000
        print(f"\n== {name} ({status['State']}, {seconds:.2f}s)")
        if status["State"] == "SUCCEEDED":
            print(data_lake.render_table(rows))
        else:
            failed += 1
            print(status.get("StateChangeReason", ""))
    return 1 if failed else 0
