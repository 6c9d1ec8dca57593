"""The accounting's own rules (tests/support/line_accounting.py), on made-up observations:
the suites can only catch a loss or a duplicate if the accounting sees one."""
from __future__ import annotations

from collections import Counter

import pytest

from tests.support import line_accounting as acc

pytestmark = [pytest.mark.unit]


GOOD = ('10.0.0.{n} - - [22/Nov/2026:05:00:{n:02d} +0000] "GET /products/Armawoo?i={n} HTTP/1.1" 200 1310 '
        '"https://www.google.com/" "Mozilla/5.0" "user = anonymous; PHPSESSID=s{n}"\n')


@pytest.fixture(scope="module")
def lines() -> list[bytes]:
    return [GOOD.format(n=n).encode() for n in range(20)] + [b"\x00\xff garbage\n", b"\n"]


def delivered_once(expected: list[acc.Expected]) -> acc.Observation:
    obs = acc.Observation()
    for e in expected:
        if e.result == acc.OK:
            obs.indexed[e.document_key] += 1
            obs.backup[e.document_key] += 1
        else:
            obs.processing_failed[e.record] += 1
    return obs


def test_exactly_once_is_conserved(lines):
    expected = acc.expected_outcomes(lines)
    result = acc.account(expected, delivered_once(expected))
    assert result.conserved and result.indexed == 20 and result.processing_failed == 2


def test_a_missing_document_is_lost(lines):
    expected = acc.expected_outcomes(lines)
    obs = delivered_once(expected)
    obs.indexed[expected[3].document_key] -= 1
    result = acc.account(expected, obs)
    assert result.lost == 1 and not result.conserved and result.fates[3] == "lost"


def test_a_second_copy_is_a_duplicate(lines):
    expected = acc.expected_outcomes(lines)
    obs = delivered_once(expected)
    obs.indexed[expected[5].document_key] += 1
    result = acc.account(expected, obs)
    assert result.duplicated == 1 and result.lost == 0 and not result.conserved
    assert result.subset(range(5, 6)).duplicated == 1


def test_identical_lines_each_need_a_copy(lines):
    expected = acc.expected_outcomes([lines[0], lines[0]])
    obs = acc.Observation(indexed=Counter({expected[0].document_key: 1}))
    assert acc.account(expected, obs).lost == 1


def test_a_foreign_document_is_unmatched(lines):
    expected = acc.expected_outcomes(lines)
    obs = delivered_once(expected)
    obs.indexed['{"host":"not written"}'] += 1
    assert acc.account(expected, obs).unmatched == 1


def test_delivery_failures_and_missing_backups_count(lines):
    expected = acc.expected_outcomes(lines)
    obs = delivered_once(expected)
    obs.indexed[expected[0].document_key] -= 1
    obs.delivery_failed[expected[0].document_key] += 1
    obs.backup[expected[1].document_key] -= 1
    result = acc.account(expected, obs)
    assert result.conserved and result.delivery_failed == 1 and result.backup_missing == 1


def test_oversized_lines_are_cut_like_the_agent_does():
    line = b"x" * (acc.MAX_RECORD_BYTES + 10) + b"\n"
    record = acc.sent_record(line)
    assert len(record) == acc.MAX_RECORD_BYTES and record.endswith(b"\n")
    exact = b"y" * (acc.MAX_RECORD_BYTES - 1) + b"\n"
    assert acc.sent_record(exact) == exact


def test_s3_places():
    assert acc.s3_place("processing-failed/2026/11/22/05/x") == "processing_failed"
    assert acc.s3_place("apache_AmazonOpenSearchService-failed/2026/x") == "delivery_failed"
    assert acc.s3_place("AmazonOpenSearchService-failed/2026/x") == "delivery_failed"
    assert acc.s3_place("apache_2026/11/22/05/x") == "backup"
    assert acc.s3_place("web-access-log/x") is None
