"""The delivery stream's hook for in-process consumers (a Kinesis Analytics Firehose input):
records go to the consumers of that stream only, a failing consumer never reaches the
producer, and an unsubscribed consumer receives nothing more."""
import pytest
from lab_localstack.firehose import record_consumers
from lab_localstack.firehose.journal import NewRecord

pytestmark = pytest.mark.unit

ARN = "arn:aws:firehose:us-east-1:000000000000:deliverystream/units-{}"


def records(*payloads: bytes) -> list[NewRecord]:
    return [NewRecord(record_id=f"r{i}", arrival_ms=1_700_000_000_000 + i, data=p) for i, p in enumerate(payloads)]


def test_records_reach_the_consumers_of_their_stream_only():
    mine, other = [], []
    stop_mine = record_consumers.subscribe(ARN.format("a"), mine.extend)
    stop_other = record_consumers.subscribe(ARN.format("b"), other.extend)
    try:
        record_consumers.offer(ARN.format("a"), records(b"x", b"y"))
        assert [r.data for r in mine] == [b"x", b"y"] and other == []
    finally:
        stop_mine()
        stop_other()
    record_consumers.offer(ARN.format("a"), records(b"z"))
    assert len(mine) == 2


def test_a_failing_consumer_does_not_stop_the_others_nor_the_producer():
    def broken(_records):
        raise RuntimeError("consumer down")

    seen = []
    stops = [record_consumers.subscribe(ARN.format("c"), broken),
             record_consumers.subscribe(ARN.format("c"), seen.extend)]
    try:
        record_consumers.offer(ARN.format("c"), records(b"kept"))
    finally:
        for stop in stops:
            stop()
    assert [r.data for r in seen] == [b"kept"]
