"""The awslogs agent as a real process against a real LocalStack: every line of
a file arrives in CloudWatch Logs as written, through a rotation and a SIGKILL
+ restart; duplicates only after the kill, one contiguous run, counted."""
from __future__ import annotations

import itertools
import time
import uuid

import pytest

from tests.agent.conftest import LogWriter, log_line
from tests.awslogs.conftest import AwsLogsProcess, filter_stream, read_stream, write_conf

pytestmark = pytest.mark.localstack

GROUP = "cloudwatchLogsEC2"
REGION = "ap-south-1"


def logs_client(localstack):
    import boto3
    return boto3.client("logs", endpoint_url=localstack.url, region_name=REGION,
                        aws_access_key_id="test", aws_secret_access_key="test")


def wait_events(logs, stream: str, count: int, agent: AwsLogsProcess, timeout: float = 60) -> list:
    deadline = time.monotonic() + timeout
    while True:
        try:
            events = read_stream(logs, GROUP, stream)
        except logs.exceptions.ResourceNotFoundException:
            events = []
        # Distinct messages: duplicates must not end the wait early.
        if len({e["message"] for e in events}) >= count or time.monotonic() > deadline:
            return events
        agent.assert_running()
        time.sleep(0.5)


def duplicate_run(messages: list[str], lines: list[str]) -> tuple[int, int]:
    """messages must be lines[:b] + lines[a:] with a <= b (one re-sent run);
    returns (a, b) so b - a is the number of duplicates."""
    b = 0
    while b < len(lines) and b < len(messages) and messages[b] == lines[b]:
        b += 1
    rest = messages[b:]
    a = len(lines) - len(rest)
    assert 0 <= a <= b, f"{len(lines) - len(messages)} line(s) missing after line {b}"
    assert rest == lines[a:], f"events after {b} are not the lines from {a} on"
    return a, b


def test_rotation_sigkill_restart_every_line_once_plus_counted_duplicates(
        localstack, tmp_path, awslogs_agents):
    stream = f"test-{uuid.uuid4().hex[:8]}"
    log = tmp_path / "access_log"
    writer = LogWriter(log)
    conf = write_conf(tmp_path / "awslogs.conf", tmp_path / "agent-state", {
        "application_logs": {
            "region": REGION, "datetime_format": "%b %d %H:%M:%S", "file": str(log),
            "buffer_duration": "5000", "log_stream_name": stream,
            "initial_position": "start_of_file", "log_group_name": GROUP}})
    logs = logs_client(localstack)
    agent = AwsLogsProcess(tmp_path, conf, localstack.url)
    awslogs_agents.append(agent.start())

    writer.write(3000)
    agent.wait_stats(lambda s: s["events_sent"] >= 1000, what="first events")
    writer.rotate("rename")                 # access_log -> access_log.1, new access_log
    writer.write(3000)
    agent.wait_stats(lambda s: s["events_sent"] >= 3500, what="events after the rotation")
    writer.write(20_000)
    agent.wait_stats(lambda s: s["lines_read"] >= 10_000, what="reading the big write")
    agent.kill()                            # SIGKILL while batches are in flight
    before_kill = agent.stats()
    writer.write(1000)
    awslogs_agents.append(agent.start())
    total = writer.next_seq
    lines = [log_line(i).decode().removesuffix("\n") for i in range(total)]
    wait_events(logs, stream, total, agent)
    assert agent.terminate() == 0
    events = read_stream(logs, GROUP, stream)

    messages = [e["message"] for e in events]
    a, b = duplicate_run(messages, lines)
    duplicates = b - a
    print(f"{total} lines, {len(messages)} events, {duplicates} duplicates after the kill "
          f"(lines {a}..{b - 1}); events sent before the kill: {before_kill['events_sent']}")
    # Re-sent lines are only those of the one batch acknowledged but not yet checkpointed
    # at the kill: at most what batch_size (32,768 bytes, 26 per event) lets in one call.
    assert duplicates <= 32_768 // (min(len(x) for x in lines) + 26)
    assert all(x["timestamp"] <= y["timestamp"] for x, y in itertools.pairwise(events))
    # FilterLogEvents sees the same events.
    assert sorted(e["message"] for e in filter_stream(logs, GROUP, stream)) == sorted(messages)
    # The stats file's contract fields.
    stats = agent.stats()
    for key in ("lines_read", "events_sent", "put_log_events_calls", "retries", "last_error",
                "updated_at"):
        assert key in stats
    # The restarted agent resumed at its checkpoint, line a, and sent the rest once.
    assert stats["events_sent"] == total - a


def test_large_batches_read_back_in_order(localstack, tmp_path, awslogs_agents):
    """batch_count 10,000 and batch_size 1,048,576: the largest PutLogEvents calls
    AWS allows, read back in order; timestamps parsed from the lines."""
    stream = f"big-{uuid.uuid4().hex[:8]}"
    log = tmp_path / "app.log"
    # 8 h ago to 1 h ago: CloudWatch Logs (and LocalStack) reject events older than
    # 14 days or more than 2 h in the future.
    base = int(time.time()) - 8 * 3600
    n = 25_000
    # Times out of order within a batch: the agent sorts each batch by time.
    lines = [f"{time.strftime('%Y-%m-%d %H:%M:%S', time.gmtime(base + (i // 2) * 2 + (1 - i % 2)))} "
             f"event {i:06d}" for i in range(n)]
    log.write_text("".join(x + "\n" for x in lines))
    conf = write_conf(tmp_path / "awslogs.conf", tmp_path / "agent-state", {
        "big": {"file": str(log), "log_group_name": GROUP, "log_stream_name": stream,
                "region": REGION, "datetime_format": "%Y-%m-%d %H:%M:%S", "time_zone": "UTC",
                "batch_count": "10000", "batch_size": "1048576"}})
    logs = logs_client(localstack)
    agent = AwsLogsProcess(tmp_path, conf, localstack.url)
    awslogs_agents.append(agent.start())
    events = wait_events(logs, stream, n, agent)
    stats = agent.stats()
    assert agent.terminate() == 0
    assert len(events) == n
    expected = sorted(range(n), key=lambda i: base + (i // 2) * 2 + (1 - i % 2))
    assert [e["message"] for e in events] == [lines[i] for i in expected]
    assert [e["timestamp"] for e in events] == \
        [(base + (i // 2) * 2 + (1 - i % 2)) * 1000 for i in expected]
    assert stats["put_log_events_calls"] == 3       # 10,000 + 10,000 + 5,000 events
    assert sorted(e["message"] for e in filter_stream(logs, GROUP, stream)) == sorted(lines)
