"""AWS's own sample Firehose events (tests/data/events) through the handler.

The blueprint test event and SAM CLI's apachelog sample carry one Apache common-format
line (with an excess "=" of base64 padding, AWS's own); the other SAM samples carry
"Hello, this is a test 123." or gzipped CloudWatch Logs data, which must fail per record
without raising. streams-as-source has kinesisRecordMetadata and misspells
deliverySteamArn; syslog repeats a recordId (echoed twice, once per input record).
"""

import base64
import copy
import json

import pytest

from etl.handler import lambda_handler
from tests.etl.firehose_contract import check_contract
from tests.support.data_files import SAMPLE_EVENTS_DIR

pytestmark = pytest.mark.unit

EVENTS = SAMPLE_EVENTS_DIR
APACHE_EVENTS = ["blueprint-apachelog-testEvent.json", "sam-cli/rendered_with_defaults/apachelog.json"]
OTHER_EVENTS = [
    "sam-cli/rendered_with_defaults/kinesis-firehose.json",
    "sam-cli/rendered_with_defaults/streams-as-source.json",
    "sam-cli/rendered_with_defaults/syslog.json",
    "sam-cli/rendered_with_defaults/cloudwatch-logs-processor.json",
]


def _load(name: str) -> dict:
    return json.loads((EVENTS / name).read_text())


@pytest.mark.parametrize("name", APACHE_EVENTS)
def test_apache_sample_event(name: str) -> None:
    event = _load(name)
    (record,) = check_contract(event, lambda_handler(copy.deepcopy(event), None))
    assert record["result"] == "Ok"
    document = json.loads(base64.b64decode(record["data"]))
    assert document == {
        "host": "64.242.88.10", "client_ip": "64.242.88.10", "ident": None, "authuser": None,
        "@timestamp": "2004-03-07T16:10:02-08:00", "@timestamp_utc": "2004-03-08T00:10:02Z",
        "timezone": "-0800",
        "request": "GET /mailman/listinfo/hsdivision HTTP/1.1", "verb": "GET",
        "path": "/mailman/listinfo/hsdivision", "http_version": "1.1",
        "page": "other", "category": None, "product": None,
        "response": 200, "bytes": 6291, "referer": None, "user-agent": None, "is_bot": False,
        "username": None, "session_id": None,
    }


@pytest.mark.parametrize("name", OTHER_EVENTS)
def test_non_apache_sample_event_fails_per_record(name: str) -> None:
    event = _load(name)
    records = check_contract(event, lambda_handler(copy.deepcopy(event), None))
    assert [r["result"] for r in records] == ["ProcessingFailed"] * len(event["records"])
    for original, returned in zip(event["records"], records):
        assert base64.b64decode(returned["data"]) == base64.b64decode(original["data"])


def test_sample_event_without_optional_keys() -> None:
    event = {"records": [{"recordId": r["recordId"], "data": r["data"]}
                         for r in _load(APACHE_EVENTS[0])["records"]]}
    (record,) = check_contract(event, lambda_handler(event, None))
    assert record["result"] == "Ok"


def test_syslog_duplicate_record_ids_are_each_echoed() -> None:
    event = _load("sam-cli/rendered_with_defaults/syslog.json")
    records = lambda_handler(event, None)["records"]
    assert [r["recordId"] for r in records] == [r["recordId"] for r in event["records"]]
