"""PutLogEvents batches and events, against AWS's documented numbers: at most
10,000 events, at most 1,048,576 bytes counting 26 bytes per event, at most
24 hours between the earliest and latest event, 256 KB per event; timestamps
from datetime_format with the agent's fallback (last parsed, else now)."""
from __future__ import annotations

import queue
from datetime import UTC, datetime

import boto3
import pytest
from botocore.stub import Stubber

from agent.api import ApiError
from agent.awslogs.config import LogSection
from agent.awslogs.logs_api import LogEvent, LogStreamClient
from agent.awslogs.stream import LogStreamFlow
from agent.awslogs.timestamps import TimestampParser
from agent.checkpoints import CheckpointStore

pytestmark = pytest.mark.unit

AWS_MAX_EVENTS = 10_000
AWS_MAX_BYTES = 1_048_576
AWS_EVENT_OVERHEAD = 26
AWS_MAX_EVENT = 256 * 1024


def make_flow(tmp_path, **keys) -> LogStreamFlow:
    section = LogSection(name="s", file=str(tmp_path / "f.log"), log_group_name="g",
                         log_stream_name="st", region="ap-south-1", **keys)
    flow = LogStreamFlow(section, LogStreamClient(None, "g", "st"),
                         CheckpointStore(tmp_path / "state"))
    flow.queue = queue.Queue()          # unbounded: no sender thread in these tests
    return flow


def batches(flow: LogStreamFlow, lines: list[bytes], finish: bool = True) -> list[list[LogEvent]]:
    """The lines through the flow's own splitter (multi-line grouping) and batching."""
    splitter = flow.tailer.make_splitter(0)
    records = splitter.feed(b"".join(lines))
    flow._add(object(), records + (splitter.finish() if finish else []))
    out = []
    while not flow.queue.empty():
        out.append(flow.queue.get_nowait())
    out.append(flow.buffer)
    return [[d for d in b.datas if d is not None] for b in out if b.nrecords]


def test_count_limit(tmp_path):
    got = batches(make_flow(tmp_path, batch_count=AWS_MAX_EVENTS, batch_size=AWS_MAX_BYTES),
                  [b"x\n"] * (AWS_MAX_EVENTS + 1))
    assert [len(b) for b in got] == [AWS_MAX_EVENTS, 1]


def test_size_limit_counts_26_bytes_per_event(tmp_path):
    msg = b"y" * 1000
    got = batches(make_flow(tmp_path, batch_count=AWS_MAX_EVENTS, batch_size=AWS_MAX_BYTES),
                  [msg + b"\n"] * 3000)
    per_batch = AWS_MAX_BYTES // (1000 + AWS_EVENT_OVERHEAD)       # 1022
    assert [len(b) for b in got] == [per_batch, per_batch, 3000 - 2 * per_batch]
    assert all(sum(len(e.message.encode()) + 26 for e in b) <= AWS_MAX_BYTES for b in got)


def test_four_largest_events_fill_a_batch_exactly(tmp_path):
    line = b"z" * (AWS_MAX_EVENT * 2) + b"\n"        # cut to the event limit
    got = batches(make_flow(tmp_path, batch_count=AWS_MAX_EVENTS, batch_size=AWS_MAX_BYTES),
                  [line] * 5)
    assert [len(b) for b in got] == [4, 1]
    assert {len(e.message) + AWS_EVENT_OVERHEAD for b in got for e in b} == {AWS_MAX_EVENT}


def test_truncation_keeps_utf8_whole(tmp_path):
    line = ("é" * AWS_MAX_EVENT).encode() + b"\n"     # 2 bytes per character
    (batch,) = batches(make_flow(tmp_path), [line])
    message = batch[0].message.encode()
    assert len(message) <= AWS_MAX_EVENT - AWS_EVENT_OVERHEAD
    assert len(message) > AWS_MAX_EVENT - AWS_EVENT_OVERHEAD - 2
    assert message.decode() == "é" * (len(message) // 2)


def test_24_hour_span(tmp_path):
    def line(ts: str, n: int) -> bytes:
        return f"{ts} event {n}\n".encode()
    flow = make_flow(tmp_path, datetime_format="%Y-%m-%d %H:%M:%S", utc=True,
                     batch_count=AWS_MAX_EVENTS, batch_size=AWS_MAX_BYTES)
    got = batches(flow, [line("2026-12-04 10:00:00", 0), line("2026-12-03 10:00:00", 1),
                         line("2026-12-04 10:00:00", 2),   # exactly 24 h after event 1: same batch
                         line("2026-12-04 10:00:01", 3)])  # 24 h + 1 s after event 1: next batch
    assert [[e.message.rsplit(" ", 1)[1] for e in b] for b in got] == [["0", "1", "2"], ["3"]]


def test_message_without_newline_and_empty_lines(tmp_path):
    got = batches(make_flow(tmp_path), [b"first\n", b"\n", b"  continued\n", b"second\n"],
                  finish=False)
    # The default multi_line_start_pattern ^[^\s]: the empty and the indented line
    # continue the first event; the last group waits for the next start line (or for
    # the file to be quiet for buffer_duration).
    assert [e.message for b in got for e in b] == ["first\n\n  continued"]
    got = batches(make_flow(tmp_path, multi_line_start_pattern=r"(?:.*?)(?:x)"),
                  [b"\n", b"a x\n", b"b\n", b"c x\n"])
    # A pattern found anywhere in the line starts an event; a leading empty line is no event.
    assert [e.message for b in got for e in b] == ["a x\nb", "c x"]


def test_timestamps_parsed_last_seen_then_now():
    now = datetime(2026, 12, 5, 12, 0, tzinfo=UTC).timestamp()
    parse = TimestampParser("%b %d %H:%M:%S", utc=True, clock=lambda: now)
    apache = '127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 2326'
    # The workshop's format does not match an Apache line: no event parsed yet, so now.
    assert parse(apache) == int(now * 1000)
    syslog = datetime(2026, 10, 10, 13, 55, 36, tzinfo=UTC).timestamp() * 1000
    assert parse("Oct 10 13:55:36 host sshd[1]: ok") == syslog      # current year
    assert parse(apache) == syslog                                  # the last one parsed
    assert parse.fallbacks == 2
    with_zone = TimestampParser("%d/%b/%Y:%H:%M:%S %z", utc=False)
    assert with_zone(apache) == datetime(2000, 10, 10, 20, 55, 36, tzinfo=UTC).timestamp() * 1000


def test_put_log_events_sorted_by_time_and_group_created():
    client = boto3.client("logs", region_name="ap-south-1", aws_access_key_id="t",
                          aws_secret_access_key="t", endpoint_url="http://127.0.0.1:1")
    events = [LogEvent(3000, "c", 27), LogEvent(1000, "a", 27), LogEvent(3000, "d", 27),
              LogEvent(2000, "b", 27)]
    with Stubber(client) as stub:
        stub.add_response("create_log_group", {}, {"logGroupName": "g"})
        stub.add_client_error("create_log_stream", "ResourceAlreadyExistsException",
                              expected_params={"logGroupName": "g", "logStreamName": "st"})
        stub.add_response("put_log_events", {"nextSequenceToken": "1"}, {
            "logGroupName": "g", "logStreamName": "st",
            "logEvents": [{"timestamp": t, "message": m}
                          for t, m in ((1000, "a"), (2000, "b"), (3000, "c"), (3000, "d"))]})
        LogStreamClient(client, "g", "st").put(events)
        stub.assert_no_pending_responses()


def test_put_errors_become_retries_and_missing_stream_is_recreated():
    client = boto3.client("logs", region_name="ap-south-1", aws_access_key_id="t",
                          aws_secret_access_key="t", endpoint_url="http://127.0.0.1:1")
    api = LogStreamClient(client, "g", "st")
    api.ready = True                    # created earlier
    events = [LogEvent(1000, "a", 27)]
    with Stubber(client) as stub:
        stub.add_client_error("put_log_events", "ResourceNotFoundException")
        stub.add_response("create_log_group", {})
        stub.add_response("create_log_stream", {})
        stub.add_client_error("put_log_events", "ThrottlingException", http_status_code=400)
        stub.add_client_error("put_log_events", "DataAlreadyAcceptedException")
        for code in ("ResourceNotFoundException", "ThrottlingException"):
            with pytest.raises(ApiError, match=code):
                api.put(events)
        api.put(events)                 # already accepted: delivered, no error
        stub.assert_no_pending_responses()
