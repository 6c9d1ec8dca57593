"""`make lake-lab`'s ending: the shop's traffic through the stack's Kinesis stream, then an
Athena answer over the Parquet that Firehose wrote.

The visits are the traffic generator's own (generator.file_mode's LineMaker: the same shop,
visitors and sizes as `make generate`), logged in the stack's tab-separated LogFormat
("%h\\t%{%Y-%m-%d %H:%M:%S}t\\t%r\\t%>s\\t%b\\t%{Referer}i\\t%{User-Agent}i", in UTC), as the
lake module's Apache would write them for its Kinesis agent.
"""
from __future__ import annotations

import logging
import re
import time
from datetime import UTC, datetime
from pathlib import Path

from generator.cli_options import DEFAULT_SITE_URL
from generator.file_mode import FileModeOptions, LineMaker
from labctl import aws_clients
from labctl.data_lake import DataLake, run_query
from labctl.errors import LabError, LabTimeout
from labctl.waiting import wait_until

LOG = logging.getLogger(__name__)

# The workshop's Apache line (generator.log_format): the fields the lake's format keeps.
COMBINED = re.compile(r'^(?P<host>\S+) \S+ \S+ \[(?P<time>[^\]]+)\] "(?P<request>(?:[^"\\]|\\.)*)" '
                      r'(?P<status>\d{3}) (?P<bytes>\S+) "(?P<referer>(?:[^"\\]|\\.)*)" '
                      r'"(?P<agent>(?:[^"\\]|\\.)*)"')
PUT_BATCH = 500
RESULT_QUERY = ("SELECT response, count(*) AS hits, sum(bytes) AS bytes FROM access_log_parquet "
                "GROUP BY response ORDER BY response")


class FeedFailed(LabError, RuntimeError):
    """The records were not all accepted, or not all delivered in time; the message says which."""


def tsv_line(combined: str) -> str:
    """One workshop-format line in the lake's tab-separated format."""
    m = COMBINED.match(combined)
    if m is None:
        raise ValueError(f"not a workshop access-log line: {combined[:120]!r}")
    moment = datetime.strptime(m["time"], "%d/%b/%Y:%H:%M:%S %z").astimezone(UTC)
    return "\t".join([m["host"], moment.strftime("%Y-%m-%d %H:%M:%S"), m["request"], m["status"],
                      m["bytes"], m["referer"], m["agent"]]) + "\n"


def shop_lines(visits: int, seed: int, end: float | None = None) -> list[str]:
    """`visits` requests of the shop's traffic, one a second up to `end` (default now), as
    tab-separated lines."""
    maker = LineMaker(FileModeOptions(path=Path("/dev/null"), count=visits, duration=None, rate=0,
                                      seed=seed, site_url=DEFAULT_SITE_URL))
    end = time.time() if end is None else end
    return [tsv_line(line) for line in maker.chunk([end - (visits - i) for i in range(visits)])]


def put_lines(url: str, stream: str, lines: list[str]) -> None:
    """PutRecords in batches of 500; refused entries are sent again (three tries)."""
    kinesis = aws_clients.client("kinesis", url)
    for start in range(0, len(lines), PUT_BATCH):
        pending = [{"Data": line.encode(), "PartitionKey": str(start + i)}
                   for i, line in enumerate(lines[start:start + PUT_BATCH])]
        for attempt in range(3):
            answer = kinesis.put_records(StreamName=stream, Records=pending)
            pending = [entry for entry, result in zip(pending, answer["Records"]) if "ErrorCode" in result]
            if not pending:
                break
            time.sleep(0.5 * (attempt + 1))
        if pending:
            raise FeedFailed(f"Kinesis {stream} refused {len(pending)} records three times")


def row_count(url: str, lake: DataLake) -> int:
    athena = aws_clients.client("athena", url)
    execution, rows = run_query(athena, "SELECT count(*) FROM access_log_parquet", lake, timeout=120)
    if execution["Status"]["State"] != "SUCCEEDED":
        raise FeedFailed(f"counting access_log_parquet: {execution['Status'].get('StateChangeReason')}")
    return int(rows[1][0])


def feed_and_query(url: str, stream: str, lake: DataLake, visits: int, seed: int = 1,
                   timeout: float = 600) -> list[list]:
    """Send `visits` of the shop's traffic, wait until access_log_parquet holds them (Firehose
    delivers when its buffer interval ends), and return the result of RESULT_QUERY."""
    before = row_count(url, lake)
    put_lines(url, stream, shop_lines(visits, seed))
    print(f"sent {visits} visits of the shop's traffic to Kinesis {stream}; Firehose delivers them "
          f"as Parquet when its buffer interval ends (60 s)", flush=True)
    started = time.monotonic()
    shown = [-1]

    def delivered() -> bool:
        now = row_count(url, lake) - before
        if now != shown[0]:
            print(f"  {now} of {visits} rows in access_log_parquet after {time.monotonic() - started:.0f} s",
                  flush=True)
            shown[0] = now
        return now >= visits

    try:
        wait_until(delivered, timeout, 5, what=f"{visits} rows in access_log_parquet")
    except LabTimeout as error:
        raise FeedFailed(f"{error} (make status shows the lake stream's counters)") from error
    execution, rows = run_query(aws_clients.client("athena", url), RESULT_QUERY, lake, timeout=120)
    if execution["Status"]["State"] != "SUCCEEDED":
        raise FeedFailed(f"{RESULT_QUERY}: {execution['Status'].get('StateChangeReason')}")
    return rows
