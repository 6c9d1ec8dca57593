"""Hostile and broken input: every bad record is ProcessingFailed, the handler never raises.

Random inputs come from seeded generators (reproducible failures, no extra dependency).
"""

import base64
import json
import random

import pytest

from etl.access_log import MAX_LINE_CHARS, parse_fast, parse_tolerant
from etl.handler import lambda_handler
from tests.etl.firehose_contract import check_contract, check_document, transform, transform_line
from tests.support.data_files import ELASTIC_LOG

pytestmark = pytest.mark.unit

LINES = ELASTIC_LOG.read_bytes().splitlines(keepends=True)
WORKSHOP_LINE = (
    b'162.250.88.82 - - [03/Nov/2018:04:29:26 +0000] "GET /products/Armawoo HTTP/1.1" 200 20494 '
    b'"http://127.0.0.1:8080/categories/smallUnicorns" "Mozilla/5.0 (X11)" '
    b'"user = anonymous; PHPSESSID=903f966790f4452e8b695267efe93a99"\n'
)


def _failed_with_original(payload: bytes) -> None:
    (record,) = transform([payload])
    assert record["result"] == "ProcessingFailed"
    assert base64.b64decode(record["data"]) == payload


def test_random_bytes() -> None:
    rng = random.Random(20181103)
    payloads = [rng.randbytes(rng.randrange(0, 600)) for _ in range(500)]
    records = transform(payloads)
    assert all(r["result"] == "ProcessingFailed" for r in records)
    assert [base64.b64decode(r["data"]) for r in records] == payloads


@pytest.mark.parametrize("payload", [b"", b"\n", b"\r\n", b" ", b"-", b"\x00" * 100, b"\xff\xfe"])
def test_empty_and_tiny_records(payload: bytes) -> None:
    _failed_with_original(payload)


def test_two_megabyte_line() -> None:
    line = WORKSHOP_LINE.replace(b"Mozilla/5.0 (X11)", b"M" * 2_000_000)
    _failed_with_original(line)


def test_long_line_under_the_firehose_limit_is_ok() -> None:
    agent = "M" * (MAX_LINE_CHARS - 1000)
    result, document = transform_line(WORKSHOP_LINE.replace(b"Mozilla/5.0 (X11)", agent.encode()))
    assert result == "Ok" and document["user-agent"] == agent


@pytest.mark.parametrize("filler", [b'"', b"\\", b' "', b'\\"', b" ", b"[", b'" 200 1 "', b"a "])
def test_pathological_near_limit_lines_fail_without_hanging(filler: bytes) -> None:
    """Patterns that make careless regexes backtrack for ever (pytest-timeout guards)."""
    size = MAX_LINE_CHARS // len(filler) - 100
    for payload in (filler * size, b'1.2.3.4 - - [03/Nov/2018:04:29:26 +0000] "' + filler * size):
        (record,) = transform([payload])
        assert record["result"] in ("ProcessingFailed", "Ok")


@pytest.mark.parametrize("data", ["!!!not base64!!!", "abc", "é", "SGVsbG8===x", " "])
def test_invalid_base64(data: str) -> None:
    event = {"records": [{"recordId": "r1", "data": data}]}
    (record,) = check_contract(event, lambda_handler(event, None))
    assert record["result"] == "ProcessingFailed"


@pytest.mark.parametrize("record", [
    {"recordId": "r1"},
    {"recordId": "r1", "data": None},
    {"recordId": "r1", "data": 42},
    {"recordId": "r1", "data": ["a"]},
    {"recordId": "r1", "data": {"nested": True}},
])
def test_broken_records(record: dict) -> None:
    event = {"records": [record, {"recordId": "good", "data": base64.b64encode(WORKSHOP_LINE).decode()}]}
    first, second = check_contract(event, lambda_handler(event, None))
    assert first["result"] == "ProcessingFailed"
    assert second["result"] == "Ok"


def test_record_without_record_id_is_still_transformed() -> None:
    """LocalStack 4.14's own Firehose sends only `data`: echo a null recordId, transform."""
    event = {"records": [{"data": base64.b64encode(WORKSHOP_LINE).decode()}]}
    (record,) = check_contract(event, lambda_handler(event, None))
    assert record["recordId"] is None and record["result"] == "Ok"


@pytest.mark.parametrize("record", [None, "text", 42, ["recordId", "data"], 1.5, True])
def test_non_dict_records(record: object) -> None:
    event = {"records": [record, {"recordId": "good", "data": base64.b64encode(WORKSHOP_LINE).decode()}]}
    first, second = check_contract(event, lambda_handler(event, None))
    assert first == {"recordId": None, "result": "ProcessingFailed", "data": first["data"]}
    assert second["result"] == "Ok"


@pytest.mark.parametrize("event", [None, [], "records", {}, {"records": None}, {"records": {"a": 1}}])
def test_events_without_a_records_list(event: object) -> None:
    assert lambda_handler(event, None) == {"records": []}


def test_empty_records_list() -> None:
    assert lambda_handler({"records": []}, None) == {"records": []}


def _mutate(rng: random.Random, line: bytes) -> bytes:
    data = bytearray(line)
    for _ in range(rng.randrange(1, 4)):
        position = rng.randrange(len(data) + 1)
        choice = rng.random()
        special = rng.choice([b'"', b"\\", b" ", b"[", b"]", b"-", b"\n", b"\r\n", b"\x00", b"\xff",
                              b"\xc3\xa9", b'\\"', b"user = x; ", bytes([rng.randrange(256)])])
        if choice < 0.4:
            data[position:position] = special
        elif choice < 0.7:
            del data[position : position + rng.randrange(1, 20)]
        else:
            data[position : position + 1] = special
    return bytes(data)


def test_mutated_real_lines() -> None:
    """Mutated lines never raise; Ok documents keep the contract; both passes agree."""
    rng = random.Random(8899)
    sources = LINES[:300] + [WORKSHOP_LINE]
    payloads = [_mutate(rng, rng.choice(sources)) for _ in range(4000)]
    records = transform(payloads)
    ok = 0
    for payload, record in zip(payloads, records):
        if record["result"] == "Ok":
            check_document(json.loads(base64.b64decode(record["data"])))
            ok += 1
        else:
            assert base64.b64decode(record["data"]) == payload
        text = payload.decode("utf-8", "backslashreplace")
        fast = parse_fast(text)
        if fast is not None:
            assert tuple(parse_tolerant(text)) == fast, text
    assert 0 < ok < len(payloads)  # the mutations produce both outcomes
