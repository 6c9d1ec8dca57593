"""Pure functions of the agent: LOGTOJSON against the Kinesis Agent's own test
cases, SINGLELINE, record splitting, endpoints and regions."""
from __future__ import annotations

import json
import re

import pytest

from agent import processing
from agent.aws import endpoint_url, region_for
from agent.config import parse_config
from agent.records import RecordSplitter

pytestmark = pytest.mark.unit


def peer_cases(test_data):
    return json.loads((test_data / "peer_cases" / "kinesis-agent_LOGTOJSON.json").read_text())


def option_for(case: dict) -> dict:
    fmt = case["logFormat"].split(" ")[0]
    option = {"optionName": "LOGTOJSON", "logFormat": fmt}
    if "customFieldNames" in case["logFormat"]:
        option["customFieldNames"] = list(case["expected"])
    match = re.search(r"matchPattern (.*?) \+ customFieldNames", case["logFormat"])
    if match:
        option["matchPattern"] = match.group(1)
    return option


def test_logtojson_matches_kinesis_agent_cases(test_data):
    cases = peer_cases(test_data)
    assert len(cases) >= 7
    for case in cases:
        convert = processing.build_chain([option_for(case)])
        out = convert((case["line"] + "\n").encode())
        if case["expected"] == {"converted": None}:
            assert out is None, case["test"]
            continue
        assert out is not None, case["test"]
        assert json.loads(out) == case["expected"], case["test"]
        assert list(json.loads(out)) == list(case["expected"]), "field order"
        if "expected_output_bytes" in case:
            assert out == case["expected_output_bytes"].encode(), case["test"]


def test_logtojson_combined_on_workshop_line():
    line = (b'162.250.88.82 - - [03/Nov/2018:04:29:26 +0000] "POST home/ HTTP/1.1" 200 20494 '
            b'"www.unicornshop.com/categories//" "Mozilla/5.0 (X11)" "user = anonymous; '
            b'PHPSESSID=903f966790f4452e8b695267efe93a99"\n')
    out = processing.build_chain([{"optionName": "LOGTOJSON", "logFormat": "COMBINEDAPACHELOG"}])(line)
    doc = json.loads(out)
    assert doc["host"] == "162.250.88.82" and doc["agent"] == "Mozilla/5.0 (X11)"
    assert doc["bytes"] == "20494" and out.endswith(b"}\n")


def test_singleline_joins_trimmed_lines():
    assert processing.single_line(b"  a \n\t b\n c  \n") == b"abc\n"


def test_chain_applies_in_order():
    chain = processing.build_chain([{"optionName": "SINGLELINE"},
                                    {"optionName": "LOGTOJSON", "logFormat": "COMMONAPACHELOG"}])
    line = b'1.2.3.4 - bob [27/Oct/2000:09:27:09 -0400]\n "GET / HTTP/1.0" 200 5\n'
    # SINGLELINE trims each line, so the space around the line break is gone.
    assert chain(line) is None
    ok = b'1.2.3.4 - bob [27/Oct/2000:09:27:09 -0400] "GET / HTTP/1.0" 200 5\n'
    assert json.loads(chain(ok))["authuser"] == "bob"


def test_splitter_lines_offsets_and_partial_line():
    sp = RecordSplitter(100)
    assert sp.feed(b"ab\ncd") == [(b"ab\n", 103)]
    assert sp.feed(b"e\n\n") == [(b"cde\n", 107), (b"\n", 108)]
    assert sp.finish() == []
    sp.feed(b"tail")
    assert sp.finish() == [(b"tail\n", 112)]


def test_splitter_truncates_long_records_and_skips_the_rest():
    sp = RecordSplitter(0, max_record_bytes=10, terminator=b"|\n")
    out = sp.feed(b"0123456789ABCDEF")        # no newline yet: held, capped
    out += sp.feed(b"GHIJ\nok\n")
    assert out == [(b"01234567|\n", 21), (b"ok\n", 24)]
    assert sp.truncated == 1


def test_splitter_multiline_and_header():
    sp = RecordSplitter(0, start_pattern=re.compile(rb"\d{4}-"), skip_header_lines=1)
    out = sp.feed(b"HEADER\n2024-01 a\n  at x\n2024-02 b\n")
    assert out == [(b"2024-01 a\n  at x\n", 24)]
    assert sp.flush_group() == [(b"2024-02 b\n", 34)]


def test_endpoint_and_region():
    assert endpoint_url("127.0.0.1:4566") == "http://127.0.0.1:4566"
    assert endpoint_url("firehose.eu-west-1.amazonaws.com") == "https://firehose.eu-west-1.amazonaws.com"
    cfg = parse_config({"firehose.endpoint": "firehose.eu-west-1.amazonaws.com",
                        "flows": [{"filePattern": "/x", "deliveryStream": "s"}]})
    assert region_for("firehose", cfg) == "eu-west-1"
