"""Sending to the native LocalStack: N records at a rate reach a Kinesis stream (read back
from TRIM_HORIZON on every shard) and a Firehose to S3 (the delivered objects), exactly
N, one record a line as KDG sends them; several templates at once; refused entries
(LocalStack's KINESIS_ERROR_PROBABILITY) sent again until they land."""
from __future__ import annotations

import json
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from generator.kdg.sender import Generator, Target, list_streams, make_clients
from generator.kdg.template import compile_template
from tests.kdg.streams import kinesis_records, make_firehose, make_kinesis_stream, wait_for_s3_lines

pytestmark = pytest.mark.localstack

TEMPLATES = Path(__file__).with_name("templates")
REPO = Path(__file__).resolve().parents[2]


def template(name: str):
    return compile_template((TEMPLATES / name).read_text())


def test_kinesis_gets_exactly_n_at_the_rate(localstack):
    stream = make_kinesis_stream(localstack, shards=2)
    n, rate = 900, 300
    generator = Generator(template("transactions.json.hbs"), Target("kinesis", stream),
                          make_clients(localstack.url), rate=rate, count=n, seed=1)
    started = time.monotonic()
    progress = generator.run()
    elapsed = time.monotonic() - started
    assert (progress.sent, progress.failed, progress.state) == (n, 0, "finished")
    # Paced, not a burst: it cannot finish sooner than the rate allows. (How close it stays
    # to the rate on a busy machine is a figure for `make bench`, not an assertion.)
    assert elapsed >= (n - 1) / rate, elapsed
    records = kinesis_records(localstack, stream)
    assert len(records) == n
    assert {r["Data"][-1:] for r in records} == {b"\n"}
    assert len({r["PartitionKey"] for r in records}) > n * 0.99  # random keys, as KDG
    assert all(0 <= int(r["PartitionKey"]) < 10**10 for r in records)
    statuses = Counter(json.loads(r["Data"])["status"] for r in records)
    assert statuses["OK"] > statuses["FAIL"] + statuses["PENDING"]


def test_firehose_to_s3_gets_exactly_n_lines(localstack):
    stream, bucket = make_firehose(localstack)
    n = 1100  # three PutRecordBatch calls of at most 500
    progress = Generator(template("apache.log.hbs"), Target("firehose", stream),
                         make_clients(localstack.url), rate=0, count=n, seed=2).run()
    assert (progress.sent, progress.failed) == (n, 0)
    lines = wait_for_s3_lines(localstack, bucket, n)
    assert len(lines) == n
    assert all(line.endswith(b"\n") and line.count(b'"') == 2 for line in lines)


def test_several_templates_at_once_and_the_stream_list(localstack):
    stream = make_kinesis_stream(localstack, shards=1)
    firehose, _ = make_firehose(localstack)
    clients = make_clients(localstack.url)
    listed = list_streams(clients)
    assert stream in listed["kinesis"] and firehose in listed["firehose"]
    generators = [Generator(template(name), Target("kinesis", stream), clients, rate=200,
                            duration=1.5, seed=i)
                  for i, name in enumerate(["transactions.json.hbs", "apache.log.hbs"])]
    for g in generators:
        g.start()
    for g in generators:
        g.join(30)
    assert [g.progress.sent for g in generators] == [300, 300]
    data = [r["Data"] for r in kinesis_records(localstack, stream)]
    assert sum(d.startswith(b"{") for d in data) == 300 and len(data) == 600


def test_a_missing_stream_is_an_error_not_a_count(localstack):
    progress = Generator(template("apache.log.hbs"), Target("kinesis", "no-such-stream"),
                         make_clients(localstack.url), rate=0, count=10).run()
    assert progress.state == "error" and "ResourceNotFound" in progress.error
    assert progress.sent == 0


def test_refused_records_are_sent_again(localstack_factory):
    flaky = localstack_factory(extra_env={"KINESIS_ERROR_PROBABILITY": "0.5"})
    stream = make_kinesis_stream(flaky, shards=1)
    n = 2000
    progress = Generator(template("apache.log.hbs"), Target("kinesis", stream),
                         make_clients(flaky.url), rate=0, count=n, seed=3, max_retries=20).run()
    assert progress.retried > 0, "with half the calls refused, some records must be retried"
    assert (progress.sent, progress.failed) == (n, 0)
    assert len(kinesis_records(flaky, stream)) == n


def test_cli_sends_and_reports(localstack, tmp_path):
    stream = make_kinesis_stream(localstack, shards=1)
    result = subprocess.run(
        [sys.executable, "-m", "generator.kdg", "--template", str(TEMPLATES / "apache.log.hbs"),
         "--stream", stream, "--rate", "250", "--duration", "1", "--endpoint-url", localstack.url,
         "--no-progress"], capture_output=True, text=True, timeout=60, cwd=REPO, check=False)
    assert result.returncode == 0, result.stderr
    assert f"250 records sent to kinesis {stream}, 0 failed" in result.stdout
    assert len(kinesis_records(localstack, stream)) == 250


def test_cli_refuses_a_bad_template_and_sends_nothing(localstack, tmp_path):
    stream = make_kinesis_stream(localstack, shards=1)
    bad = tmp_path / "bad.hbs"
    bad.write_text('{"ip": "{{internet.ip}}",\n "n": {{random.number(10}}\n')
    result = subprocess.run(
        [sys.executable, "-m", "generator.kdg", "--template", str(bad), "--stream", stream,
         "--count", "5", "--endpoint-url", localstack.url], capture_output=True, text=True,
        timeout=60, cwd=REPO, check=False)
    assert result.returncode != 0
    assert "bad.hbs: line 2, column 25" in result.stderr
    assert kinesis_records(localstack, stream) == []
