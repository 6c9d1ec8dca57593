"""Fault injection on one native lab: under every fault, no line is lost.

The cases run in order on one lab (starting it costs ~25 s), each writing its
own lines to the access log (whole-line appends, the generator's format) and
breaking one part mid-stream. After each case the whole ledger is accounted for
(tests/support/line_accounting.py) and the case's lines must all be found: indexed, in
`processing-failed/`, in `AmazonOpenSearchService-failed/`, or dropped.
Duplicates are allowed under faults (delivery is at-least-once) and reported;
the binary/oversized case has no fault and must be exactly once.

OpenSearch keeps its index on disk across a restart; LocalStack's restart is
checked against what the lab's observer saw before (it takes a snapshot first and
keeps the union). For LocalStack the case makes sure records are *buffered* at
the crash (buffer interval raised to 300 s, then the crash once Firehose holds
them all): the Firehose journal must keep them and deliver them after the
restart, once LocalStack's ready.d hook has re-provisioned the lab.

The per-case table (written / indexed / failed / dropped / duplicated / lost) is
printed at the end of the run.
"""
from __future__ import annotations

import pytest
import requests
from labctl import stage_counts

from tests.support import line_accounting as acc
from tests.support.native_lab import NativeLab, generated_lines
from tests.support.waiting import wait_for

pytestmark = [pytest.mark.fault, pytest.mark.slow]

ACCOUNT_TIMEOUT_S = 180


def start_opensearch(lab: NativeLab) -> None:
    """supervisord answers `started` once the JVM runs; searches answer 503 ("all shards failed")
    until the node has recovered its shards: wait for that, as a user's next search would."""
    lab.supervisorctl("start", "opensearch")

    def serving() -> bool:
        try:
            answer = requests.get(f"{lab.settings.opensearch_url}/_cluster/health",
                                  params={"wait_for_status": "yellow", "timeout": "5s"}, timeout=15)
        except requests.RequestException:
            return False
        return answer.status_code == 200 and answer.json().get("status") in ("yellow", "green")

    wait_for(serving, 300, what="OpenSearch serving its shards again")


def check_case(lab: NativeLab, name: str, exactly_once: bool = False) -> acc.Accounting:
    """Account for the whole lab; the case's lines must all be found."""
    whole = lab.account_all(timeout=ACCOUNT_TIMEOUT_S)
    case = next(c for c in lab.cases if c.name == name)
    part = whole.subset(case.positions)
    detail = f"{name}: {part.row()}\nlost samples: {whole.lost_samples}\n{NativeLab.log_tails(lab.settings, 1500)}"
    assert part.written == len(case.lines) > 0
    assert part.lost == 0, detail
    assert whole.unmatched == 0, detail
    if exactly_once:
        assert part.duplicated == 0, detail
    return part


def test_binary_and_oversized_lines(fault_lab: NativeLab):
    """Binary bytes, NUL, invalid UTF-8, CRLF, lines at and over the 1,000 KiB record limit."""
    lab = fault_lab
    case = lab.begin_case("binary and oversized lines")
    good = generated_lines(4, seed=9101)
    host_part, _, _ = good[0].partition(b'"Mozilla')
    crafted = [
        good[1][:-1] + b"\r\n",                                           # CRLF ending
        good[2].replace(b"Mozilla", b"Moz\x00illa\xe4\xff", 1),           # NUL and invalid UTF-8 inside
        host_part + b'"' + b"A" * (2 * 1024 * 1024) + b'" "user = x; PHPSESSID=y"\n',  # cut to 1,000 KiB
        b"\xfe" * (1500 * 1024) + b"\n",                                  # oversized garbage: cut, fails
        b"B" * (acc.MAX_RECORD_BYTES - 1) + b"\n",                        # exactly the limit, not cut
    ]
    lines = generated_lines(1000, seed=9102, bad_fraction=0.5) + crafted + good[3:]
    lab.append_lines(case, lines)
    part = check_case(lab, case.name, exactly_once=True)
    expected = acc.expected_outcomes(case.lines)
    assert part.processing_failed == sum(e.result == acc.FAILED for e in expected)
    assert part.indexed == sum(e.result == acc.OK for e in expected)


def test_agent_killed_and_restarted_mid_stream(fault_lab: NativeLab):
    lab = fault_lab
    case = lab.begin_case("agent SIGKILLed mid-stream")
    lines = generated_lines(3000, seed=9201)

    def kill_agent(chunk: int) -> None:
        if chunk in (1, 3):
            killed = lab.crash("agent")
            lab.wait_running("agent", not_pid=killed)
    lab.append_paced(case, lines, chunks=6, between_chunks=kill_agent)
    check_case(lab, case.name)


def test_rotation_by_rename_during_traffic(fault_lab: NativeLab):
    lab = fault_lab
    case = lab.begin_case("rotation by rename")
    lines = generated_lines(2000, seed=9301)

    def rotate(chunk: int) -> None:
        if chunk in (0, 2):
            lab.rotate_by_rename(f"rename-{chunk}")
    lab.append_paced(case, lines, chunks=5, between_chunks=rotate)
    check_case(lab, case.name, exactly_once=True)


def test_rotation_by_copytruncate_during_traffic(fault_lab: NativeLab):
    lab = fault_lab
    case = lab.begin_case("rotation by copytruncate")
    lines = generated_lines(2000, seed=9401)

    def rotate(chunk: int) -> None:
        if chunk in (0, 2):
            lab.rotate_by_copytruncate(f"copytruncate-{chunk}")
    lab.append_paced(case, lines, chunks=5, between_chunks=rotate)
    check_case(lab, case.name, exactly_once=True)


def _quiesce_and_snapshot(lab: NativeLab) -> None:
    """Everything delivered so far is in the observer before a store is restarted."""
    whole = lab.account_all(timeout=ACCOUNT_TIMEOUT_S)
    assert whole.lost == 0, "earlier cases not settled"
    lab.observer.snapshot()


def test_opensearch_down_shorter_than_retry_duration(fault_lab: NativeLab):
    """Down while a batch is retried, back before RetryDuration (300 s here, AWS's default: the
    outage lasts a JVM's restart, tens of seconds on a busy machine): all indexed."""
    lab = fault_lab
    lab.reprovision(retry_duration=300)
    _quiesce_and_snapshot(lab)
    retries_before = lab.firehose()["delivery_retries"]
    lab.supervisorctl("stop", "opensearch")
    try:
        case = lab.begin_case("OpenSearch down < RetryDuration")
        lab.append_lines(case, generated_lines(500, seed=9501))
        wait_for(lambda: lab.firehose()["delivery_retries"] > retries_before, 60, what="a failed bulk request")
    finally:
        start_opensearch(lab)
    part = check_case(lab, case.name)
    assert part.delivery_failed == 0
    assert part.indexed == len(case.lines)


def test_opensearch_down_longer_than_retry_duration(fault_lab: NativeLab):
    """Down past RetryDuration (3 s here): the documents go to AmazonOpenSearchService-failed/."""
    lab = fault_lab
    lab.reprovision(retry_duration=3)
    _quiesce_and_snapshot(lab)
    failed_before = lab.firehose()["delivery_failed"]
    lab.supervisorctl("stop", "opensearch")
    try:
        case = lab.begin_case("OpenSearch down > RetryDuration")
        lines = generated_lines(500, seed=9601)
        lab.append_lines(case, lines)
        wait_for(lambda: lab.firehose()["delivery_failed"] >= failed_before + len(lines), 120,
                 what="the documents given up on")
    finally:
        start_opensearch(lab)
        lab.reprovision(retry_duration=lab.settings.retry_duration)
    part = check_case(lab, case.name)
    assert part.delivery_failed == len(lines)


def test_opensearch_sigkilled_mid_burst(fault_lab: NativeLab):
    """SIGKILL of OpenSearch's JVM in the middle of a burst, supervisord starting it again
    (autorestart=unexpected): every line is in the index or in AmazonOpenSearchService-failed/
    once the retry window is over. Looked at afresh, not with what was seen before the kill,
    so the documents OpenSearch acknowledged before it must have survived it (its translog)."""
    lab = fault_lab
    lab.reprovision(retry_duration=120)
    _quiesce_and_snapshot(lab)
    url = lab.settings.opensearch_url
    documents_before = stage_counts.index_documents(url)
    case = lab.begin_case("OpenSearch SIGKILLed mid-burst")

    def kill_opensearch(chunk: int) -> None:
        if chunk == 1:    # a part of the burst indexed, the rest still coming
            wait_for(lambda: (stage_counts.index_documents(url) or 0) > documents_before, 120, 0.2,
                     what="the burst reaching the index")
            killed = lab.crash("opensearch")
            lab.wait_running("opensearch", not_pid=killed, timeout=120)
    try:
        lab.append_paced(case, generated_lines(1500, seed=9551, bad_fraction=0.05), chunks=3,
                         between_chunks=kill_opensearch)
    finally:
        start_opensearch(lab)
        lab.reprovision(retry_duration=lab.settings.retry_duration)
    lab.observer = acc.LabObserver(lab.settings)
    check_case(lab, case.name)


def test_localstack_restarted_with_records_buffered(fault_lab: NativeLab):
    lab = fault_lab
    _quiesce_and_snapshot(lab)
    lab.reprovision(buffer_interval=300)
    received_before = lab.firehose()["received"]
    case = lab.begin_case("LocalStack killed with records buffered")
    lab.append_lines(case, generated_lines(1000, seed=9701, bad_fraction=0.05))
    wait_for(lambda: lab.firehose().get("received", 0) >= received_before + 1000, 60,
             what="Firehose holding the case's records")
    assert lab.firehose()["buffered_records"] >= 1000
    lab.observer.snapshot()
    killed = lab.crash("localstack")
    # More traffic while LocalStack is gone: the agent must hold it and retry.
    lab.append_lines(case, generated_lines(500, seed=9702))
    lab.wait_running("localstack", not_pid=killed, timeout=120)
    # The ready.d hook re-provisions (S3 bucket, Lambda, buffer interval back to 1 s).
    part = check_case(lab, case.name)
    assert part.written == 1500
