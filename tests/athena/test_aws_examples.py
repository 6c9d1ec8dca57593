"""AWS's own Athena examples (tests/data/athena/aws_examples.sql, copied from the Athena
User Guide) run through boto3: the Apache log table with Glue's Grok SerDe, the Classic
Load Balancer log table with the RegexSerDe, and the Firehose layout with partition
projection. Expected answers come from parsing the same lines here in plain Python."""
from __future__ import annotations

import gzip
import json
import shlex

import pytest
from labctl import data_lake

from tests.athena.conftest import query
from tests.glue.lake_data import write_backup
from tests.support.data_files import ATHENA_DIR

pytestmark = pytest.mark.localstack

EXAMPLES = data_lake.example_queries(ATHENA_DIR / "aws_examples.sql")


def test_apache_logs_with_the_grok_serde(athena, s3, lake):
    lines = (ATHENA_DIR / "apache_common_log_sample.log").read_text().splitlines()
    s3.put_object(Bucket=lake["bucket"], Key="apache-log-folder/access_log", Body="\n".join(lines).encode())
    ddl = EXAMPLES["apache_ddl"].replace("s3://bucket-name/apache-log-folder/",
                                         f"s3://{lake['bucket']}/apache-log-folder/")
    assert query(athena, ddl, lake) == []

    parsed = []
    for line in lines:
        before, request, after = line.split('"')
        _ip, _ident, user, *stamp = before.split()
        status, _size = after.split()
        parsed.append({"user": user, "time": " ".join(stamp), "request": f'"{request}"', "status": status})
    assert query(athena, EXAMPLES["apache_404"], lake) == [
        ["request_received_time", "client_request", "server_status"]] + [
        [p["time"], p["request"], p["status"]] for p in parsed if p["status"] == "404"]
    assert query(athena, EXAMPLES["apache_200"], lake) == [
        ["user_id", "request_received_time", "client_request", "server_status"]] + [
        [p["user"], p["time"], p["request"], p["status"]] for p in parsed if p["status"] == "200"]


def test_classic_load_balancer_logs_with_the_regex_serde(athena, s3, lake):
    lines = (ATHENA_DIR / "elb_classic_sample.log").read_text().splitlines()
    prefix = "prefix/AWSLogs/000000000000/elasticloadbalancing/"
    s3.put_object(Bucket=lake["bucket"], Key=prefix + "us-east-1/2015/05/13/elb.log",
                  Body=("\n".join(lines) + "\n").encode())
    ddl = EXAMPLES["elb_ddl"].replace("s3://your_log_bucket/prefix/AWSLogs/AWS_account_ID/elasticloadbalancing/",
                                      f"s3://{lake['bucket']}/{prefix}")
    assert query(athena, ddl, lake) == []

    entries = [shlex.split(line) for line in lines]
    errors = [[e[0], e[1], e[3].split(":")[0], e[8]] for e in entries if e[8][0] in "45"]
    assert query(athena, EXAMPLES["elb_errors"], lake) == [
        ["request_timestamp", "elb_name", "backend_ip", "backend_response_code"]] + errors

    totals: dict[tuple[str, str], float] = {}
    for e in entries:
        key = (e[1], e[3].split(":")[0])
        totals[key] = totals.get(key, 0.0) + float(e[5])
    got = query(athena, EXAMPLES["elb_backend_time"], lake)
    assert got[0] == ["total_ms", "elb_name", "backend_ip"]
    assert sorted((r[1], r[2], round(float(r[0]), 9)) for r in got[1:]) == sorted(
        (name, ip, round(total, 9)) for (name, ip), total in totals.items())


def test_firehose_layout_with_partition_projection(athena, s3, lake):
    written = write_backup(s3, lake["bucket"], count=400, prefix="prefix/")
    ddl = EXAMPLES["firehose_ddl"].replace("amzn-s3-demo-bucket", lake["bucket"])
    assert query(athena, ddl, lake) == []

    per_hour: dict[str, int] = {}
    for key, docs in written.items():
        hour = "/".join(key.split("/")[1:5])
        per_hour[hour] = per_hour.get(hour, 0) + len(docs)
    got = query(athena, "SELECT datehour, count(*) AS n FROM my_ingested_data GROUP BY datehour ORDER BY datehour",
                lake)
    assert got == [["datehour", "n"]] + [[h, str(n)] for h, n in sorted(per_hour.items())]

    first = sorted(per_hour)[1]
    docs = [d for key, ds in written.items() if "/".join(key.split("/")[1:5]) >= first for d in ds]
    got = query(athena, f"SELECT count(*), sum(bytes), count(DISTINCT useragent) FROM my_ingested_data "
                        f"WHERE datehour >= '{first}' AND response = 200", lake)
    ok = [d for d in docs if d["response"] == 200]
    assert got[1] == [str(len(ok)), str(sum(d["bytes"] or 0 for d in ok)), str(len({d["user-agent"] for d in ok} - {None}))]
    # the objects really are what the query read: one is GZIP-compressed
    body = s3.get_object(Bucket=lake["bucket"], Key=next(k for k in written if k.endswith(".gz")))["Body"].read()
    assert json.loads(gzip.decompress(body).splitlines()[0])
