"""The KDA SQL features beyond the issue's query, through boto3 on real Kinesis streams:
CSV input with a WHERE filter and a sliding window, two chained pumps with a STEP window,
Lambda pre-processing, the error stream, and SQL the lab refuses."""
from __future__ import annotations

import json
import statistics
from collections import Counter

import pytest
from botocore.exceptions import ClientError

from tests.kinesisanalytics.conftest import (
    ROLE,
    collect,
    csv_input,
    json_input,
    make_stream,
    put,
    read_json,
    start,
    stream_output,
    unique,
)
from tests.support.firehose_calls import create_function
from tests.support.waiting import wait_for

pytestmark = pytest.mark.localstack

TRADES = [("AMZN", 120.5), ("AMZN", 30.0), ("MSFT", 70.25), ("AMZN", 99.5), ("MSFT", 10.0), ("GOOG", 55.0),
          ("MSFT", 88.0), ("GOOG", 45.0), ("AMZN", 60.0)]


def test_csv_input_where_filter_and_sliding_window(localstack):
    source, filtered, averages = make_stream(localstack), make_stream(localstack), make_stream(localstack)
    code = """
    CREATE OR REPLACE STREAM "EXPENSIVE" (ticker VARCHAR(4), price DOUBLE);
    CREATE OR REPLACE PUMP "FILTER_PUMP" AS INSERT INTO "EXPENSIVE"
      SELECT STREAM "ticker", "price" FROM "SOURCE_SQL_STREAM_001" WHERE "price" > 50;
    CREATE OR REPLACE STREAM "MOVING_AVG" (ticker VARCHAR(4), avg_price DOUBLE, trades INTEGER);
    CREATE OR REPLACE PUMP "AVG_PUMP" AS INSERT INTO "MOVING_AVG"
      SELECT STREAM "ticker", AVG("price") OVER W1, COUNT(*) OVER W1 FROM "SOURCE_SQL_STREAM_001"
      WINDOW W1 AS (PARTITION BY "ticker" RANGE INTERVAL '1' MINUTE PRECEDING);
    """
    name = unique("kda-csv")
    localstack.client("kinesisanalytics").create_application(
        ApplicationName=name, ApplicationCode=code,
        Inputs=[csv_input(source, [("ticker", "VARCHAR(4)"), ("price", "DOUBLE")])],
        Outputs=[stream_output("EXPENSIVE", filtered), stream_output("MOVING_AVG", averages, "CSV")])
    start(localstack, name)
    # one record of CSV rows: they are read together, so they share one ROWTIME and the RANGE
    # window of each row holds every row of its ticker
    put(localstack, source, ["\n".join(f"{t},{p}" for t, p in TRADES).encode()])

    expensive = collect(lambda: read_json(localstack, filtered), lambda rows: len(rows) >= 5, what="filtered rows")
    assert sorted((r["TICKER"], r["PRICE"]) for r in expensive) == sorted((t, p) for t, p in TRADES if p > 50)

    def csv_rows():
        from tests.kinesisanalytics.conftest import read_all
        return [r["data"].decode().strip().split(",") for r in read_all(localstack, averages)]

    rows = collect(lambda: csv_rows(), lambda r: len(r) >= len(TRADES), what="sliding rows")
    by_ticker = {t: [p for tt, p in TRADES if tt == t] for t, _ in TRADES}
    assert sorted((t, float(a), int(n)) for t, a, n in rows) == sorted(
        (t, pytest.approx(statistics.mean(by_ticker[t])), len(by_ticker[t])) for t, _ in TRADES)


def test_two_chained_pumps_with_a_step_window(localstack):
    source, target = make_stream(localstack), make_stream(localstack)
    code = """
    CREATE OR REPLACE STREAM "ERRORS_ONLY" (path VARCHAR(32), status INTEGER);
    CREATE OR REPLACE PUMP "P1" AS INSERT INTO "ERRORS_ONLY"
      SELECT STREAM "request", "status" FROM "SOURCE_SQL_STREAM_001" WHERE "status" >= 500;
    CREATE OR REPLACE STREAM "ERRORS_PER_PATH" (path VARCHAR(32), errors INTEGER);
    CREATE OR REPLACE PUMP "P2" AS INSERT INTO "ERRORS_PER_PATH"
      SELECT STREAM path, COUNT(*) FROM "ERRORS_ONLY"
      GROUP BY path, STEP("ERRORS_ONLY".ROWTIME BY INTERVAL '5' SECOND);
    """
    name = unique("kda-chain")
    localstack.client("kinesisanalytics").create_application(
        ApplicationName=name, ApplicationCode=code,
        Inputs=[json_input(source, [("request", "$.request", "VARCHAR(32)"), ("status", "$.status", "INTEGER")])],
        Outputs=[stream_output("ERRORS_PER_PATH", target)])
    start(localstack, name)
    lines = [("/home", 200)] * 7 + [("/home", 500)] * 3 + [("/signin", 503)] * 4 + [("/signup", 404)] * 2
    put(localstack, source, [json.dumps({"request": p, "status": str(s)}).encode() for p, s in lines])
    expected = Counter(p for p, s in lines if s >= 500)
    rows = collect(lambda: read_json(localstack, target), lambda r: sum(x["ERRORS"] for x in r) >= sum(expected.values()), timeout=30, what="chained counts")
    got = Counter()
    for row in rows:
        got[row["PATH"]] += row["ERRORS"]
    assert got == expected


PREPROCESSOR = """
import base64, json

def lambda_handler(event, context):
    assert event["applicationArn"].startswith("arn:aws:kinesisanalytics:")
    out = []
    for record in event["records"]:
        assert "kinesisStreamRecordMetadata" in record
        text = base64.b64decode(record["data"]).decode()
        if text.startswith("FAIL"):
            out.append({"recordId": record["recordId"], "result": "ProcessingFailed", "data": record["data"]})
            continue
        if text.startswith("DROP"):
            out.append({"recordId": record["recordId"], "result": "Dropped", "data": record["data"]})
            continue
        client, count = text.split("|")
        data = json.dumps({"client": client, "count": count}).encode()
        out.append({"recordId": record["recordId"], "result": "Ok", "data": base64.b64encode(data).decode()})
    return {"records": out}
"""


def test_lambda_preprocessing_and_the_error_stream(localstack):
    source, target, errors = make_stream(localstack), make_stream(localstack), make_stream(localstack)
    function = create_function(localstack, PREPROCESSOR, name=unique("kda-pre"))
    code = """
    CREATE OR REPLACE STREAM "OUT" (client VARCHAR(16), total INTEGER);
    CREATE OR REPLACE PUMP "P" AS INSERT INTO "OUT" SELECT STREAM "client", "count" * 2 FROM "SOURCE_SQL_STREAM_001";
    """
    name = unique("kda-pre")
    localstack.client("kinesisanalytics").create_application(
        ApplicationName=name, ApplicationCode=code,
        Inputs=[json_input(source, [("client", "$.client", "VARCHAR(16)"), ("count", "$.count", "INTEGER")],
                           processor_arn=function)],
        Outputs=[stream_output("OUT", target), stream_output("error_stream", errors)])
    start(localstack, name)
    put(localstack, source, [b"alice|3", b"bob|4", b"FAIL me", b"DROP me", b"carol|not-a-number"])
    rows = collect(lambda: read_json(localstack, target), lambda r: len(r) >= 2, what="rows")
    assert sorted((r["CLIENT"], r["TOTAL"]) for r in rows) == [("alice", 6), ("bob", 8)]
    error_rows = collect(lambda: read_json(localstack, errors), lambda r: len(r) >= 2, what="error_stream rows")
    assert all(set(r) == {"ERROR_TIME", "ERROR_LEVEL", "ERROR_NAME", "MESSAGE", "DATA_ROWTIME", "DATA_ROW",
                          "PUMP_NAME"} for r in error_rows)
    data = sorted(r["DATA_ROW"] for r in error_rows)
    assert data == ["FAIL me", json.dumps({"client": "carol", "count": "not-a-number"})]


@pytest.mark.parametrize("code, fragment", [
    ("SELECT * FROM x", "SQL statement not supported"),
    (('CREATE OR REPLACE STREAM "D" (a INTEGER); CREATE OR REPLACE PUMP "P" AS INSERT INTO "D" '
     'SELECT STREAM COUNT(*) FROM "SOURCE_SQL_STREAM_001" GROUP BY "a"'), "monotonic expression"),
    (('CREATE OR REPLACE STREAM "D" (a INTEGER); CREATE OR REPLACE PUMP "P" AS INSERT INTO "D" '
     'SELECT STREAM RANDOM_CUT_FOREST("a") FROM "SOURCE_SQL_STREAM_001"'), "No match found for function signature"),
])
def test_unsupported_sql_is_refused_at_create_and_update(localstack, code, fragment):
    kda = localstack.client("kinesisanalytics")
    with pytest.raises(ClientError) as refused:
        kda.create_application(ApplicationName=unique("kda-bad"), ApplicationCode=code)
    assert refused.value.response["Error"]["Code"] == "CodeValidationException"
    assert fragment in refused.value.response["Error"]["Message"]
    name = unique("kda-upd")
    kda.create_application(ApplicationName=name)
    with pytest.raises(ClientError) as refused:
        kda.update_application(ApplicationName=name, CurrentApplicationVersionId=1,
                               ApplicationUpdate={"ApplicationCodeUpdate": code})
    assert refused.value.response["Error"]["Code"] == "CodeValidationException"
    assert kda.describe_application(ApplicationName=name)["ApplicationDetail"]["ApplicationVersionId"] == 1


def test_code_that_does_not_fit_its_input_is_refused_at_start(localstack):
    kda = localstack.client("kinesisanalytics")
    name = unique("kda-start")
    code = ('CREATE OR REPLACE STREAM "D" (a INTEGER); CREATE OR REPLACE PUMP "P" AS INSERT INTO "D" '
            'SELECT STREAM "no_such_column" FROM "SOURCE_SQL_STREAM_001";')
    kda.create_application(ApplicationName=name, ApplicationCode=code,
                           Inputs=[json_input(make_stream(localstack), [("a", "$.a", "INTEGER")])])
    with pytest.raises(ClientError) as refused:
        start(localstack, name)
    assert refused.value.response["Error"]["Code"] == "InvalidApplicationConfigurationException"
    assert "no_such_column" in refused.value.response["Error"]["Message"]
    assert kda.describe_application(ApplicationName=name)["ApplicationDetail"]["ApplicationStatus"] == "READY"


def test_api_lifecycle_versions_tags_and_discovery(localstack):
    kda = localstack.client("kinesisanalytics")
    source = make_stream(localstack)
    put(localstack, source, [json.dumps({"client_ip": "192.168.100.200", "status": 200, "ok": True}).encode(),
                             json.dumps({"client_ip": "10.0.0.1", "status": 404, "ok": False}).encode()])
    discovered = kda.discover_input_schema(
        ResourceARN=source, RoleARN=ROLE,
        InputStartingPositionConfiguration={"InputStartingPosition": "TRIM_HORIZON"})
    columns = {c["Name"]: (c["Mapping"], c["SqlType"]) for c in discovered["InputSchema"]["RecordColumns"]}
    assert columns == {"client_ip": ("$.client_ip", "VARCHAR(16)"), "status": ("$.status", "INTEGER"),
                       "ok": ("$.ok", "BOOLEAN")}
    name = unique("kda-api")
    summary = kda.create_application(ApplicationName=name, Tags=[{"Key": "team", "Value": "lab"}])
    assert summary["ApplicationSummary"]["ApplicationStatus"] == "READY"
    with pytest.raises(ClientError) as exists:
        kda.create_application(ApplicationName=name)
    assert exists.value.response["Error"]["Code"] == "ResourceInUseException"
    kda.add_application_input(ApplicationName=name, CurrentApplicationVersionId=1, Input={
        "NamePrefix": "SOURCE_SQL_STREAM", "KinesisStreamsInput": {"ResourceARN": source, "RoleARN": ROLE},
        "InputSchema": discovered["InputSchema"]})
    with pytest.raises(ClientError) as stale:
        kda.add_application_output(ApplicationName=name, CurrentApplicationVersionId=1,
                                   Output=stream_output("X", source))
    assert stale.value.response["Error"]["Code"] == "ConcurrentModificationException"
    detail = kda.describe_application(ApplicationName=name)["ApplicationDetail"]
    assert detail["ApplicationVersionId"] == 2
    assert detail["InputDescriptions"][0]["InAppStreamNames"] == ["SOURCE_SQL_STREAM_001"]
    arn = detail["ApplicationARN"]
    kda.tag_resource(ResourceARN=arn, Tags=[{"Key": "lab:engine", "Value": "duckdb"}])
    kda.untag_resource(ResourceARN=arn, TagKeys=["team"])
    assert kda.list_tags_for_resource(ResourceARN=arn)["Tags"] == [{"Key": "lab:engine", "Value": "duckdb"}]
    assert name in [a["ApplicationName"] for a in kda.list_applications(Limit=50)["ApplicationSummaries"]]
    kda.delete_application(ApplicationName=name, CreateTimestamp=detail["CreateTimestamp"])
    wait_for(lambda: name not in [a["ApplicationName"] for a in kda.list_applications()["ApplicationSummaries"]],
             what="application deleted")
    with pytest.raises(ClientError) as gone:
        kda.describe_application(ApplicationName=name)
    assert gone.value.response["Error"]["Code"] == "ResourceNotFoundException"
