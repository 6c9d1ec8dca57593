"""The 10,000 real combined-format lines of the elastic/examples Apache log.

Line 8899 is truncated: its user agent lacks the closing quote (and anything after it).
We make it `Ok`: every field up to the byte count is complete and well-formed, the user
agent is complete except for its quote (its Googlebot URL is whole), and Apache can
leave such a line behind when a disk fills up or a writer is killed. Failing it would
lose a real request from every count; the tolerant parser accepts an unterminated
*last* quoted field only, so a damaged line elsewhere still fails.
"""

import base64
import json
import re
from datetime import UTC, datetime

import pytest

from etl.access_log import parse_fast, parse_tolerant
from etl.handler import lambda_handler
from tests.etl.firehose_contract import check_contract, make_event
from tests.support.data_files import ELASTIC_LOG

pytestmark = pytest.mark.unit

LINES = ELASTIC_LOG.read_bytes().splitlines(keepends=True)
# An independent reading of the (well-formed) lines to compare with.
COMBINED = re.compile(rb'^(\S+) (\S+) (\S+) \[([^\]]+)\] "(.*)" (\d{3}) (\d+|-) "(.*)" "(.*)"\n$')


@pytest.fixture(scope="module")
def documents() -> list[tuple[str, dict | None]]:
    results = []
    for start in range(0, len(LINES), 500):
        event = make_event(LINES[start : start + 500])
        for record in check_contract(event, lambda_handler(event, None)):
            if record["result"] == "Ok":
                results.append(("Ok", json.loads(base64.b64decode(record["data"]))))
            else:
                results.append((record["result"], None))
    return results


def test_all_10000_lines_ok(documents: list) -> None:
    assert len(documents) == 10_000
    failed = [number for number, (result, _) in enumerate(documents, start=1) if result != "Ok"]
    assert failed == []


def test_fields_match_an_independent_reading(documents: list) -> None:
    compared = 0
    for number, (line, (_, document)) in enumerate(zip(LINES, documents), start=1):
        match = COMBINED.match(line)
        if match is None:
            assert number == 8899
            continue
        host, ident, authuser, stamp, request, status, size, referer, agent = (
            group.decode() for group in match.groups()
        )
        moment = datetime.strptime(stamp, "%d/%b/%Y:%H:%M:%S %z")
        assert document["host"] == host
        assert document["ident"] == (None if ident == "-" else ident)
        assert document["authuser"] == (None if authuser == "-" else authuser)
        assert document["@timestamp"] == moment.isoformat()
        assert document["@timestamp_utc"] == moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
        assert document["timezone"] == "+0000"
        assert document["request"] == request
        assert document["response"] == int(status)
        assert document["bytes"] == (None if size == "-" else int(size))
        assert document["referer"] == (None if referer == "-" else referer)
        assert document["user-agent"] == (None if agent == "-" else agent)
        assert '"' not in (document["referer"] or "") + (document["user-agent"] or "")
        compared += 1
    assert compared == 9_999


def test_dash_bytes_are_null(documents: list) -> None:
    assert sum(document["bytes"] is None for _, document in documents) == 669


def test_escaped_bytes_in_referer_are_kept_as_logged(documents: list) -> None:
    referer = documents[5851 - 1][1]["referer"]
    assert referer == r"http://\xe4\xe5\xe3\xf2\xff\xf0\xed\xee\xe5-\xec\xfb\xeb\xee.\xf0\xf4/"


def test_truncated_line_8899(documents: list) -> None:
    result, document = documents[8899 - 1]
    assert result == "Ok"
    assert document["user-agent"] == "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html"
    assert document["referer"] is None
    assert document["is_bot"] is True
    assert (document["response"], document["bytes"]) == (200, 235)


def test_fast_and_tolerant_passes_agree() -> None:
    """Every line the fast regex reads, the tolerant parser reads the same way."""
    agreed = 0
    for line in LINES:
        text = line.decode()
        fast = parse_fast(text)
        tolerant = parse_tolerant(text)
        assert tolerant is not None
        if fast is not None and fast != tuple(tolerant):
            pytest.fail(f"{fast} != {tolerant}")
        agreed += fast is not None
    assert agreed == 9_999  # all but the truncated line take the fast path


def test_bots_found(documents: list) -> None:
    bots = [document for _, document in documents if document["is_bot"]]
    assert any("Googlebot" in document["user-agent"] for document in bots)
    browsers = [document for _, document in documents
                if (document["user-agent"] or "").startswith("Mozilla/5.0 (Windows NT 6.1; WOW64; rv:")]
    assert browsers and not any(document["is_bot"] for document in browsers)
