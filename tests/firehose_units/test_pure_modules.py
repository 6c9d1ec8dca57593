"""Unit tests of the lab Firehose's pure modules, with expectations from AWS's documentation
(the examples AWS gives for index rotation, S3 object keys and error records)."""
import base64
import json
import re
from datetime import UTC, datetime

import pytest
from lab_localstack.firehose import environment, error_records, index_rotation, s3_keys
from lab_localstack.firehose.counters import StreamCounters

pytestmark = pytest.mark.unit

# AWS's example arrival time for index rotation: 2016-02-25 13:00 UTC.
ARRIVAL_MS = int(datetime(2016, 2, 25, 13, 0, tzinfo=UTC).timestamp() * 1000)


@pytest.mark.parametrize("rotation, expected", [
    ("NoRotation", "apache"), ("OneHour", "apache-2016-02-25-13"), ("OneDay", "apache-2016-02-25"),
    ("OneWeek", "apache-2016-w08"), ("OneMonth", "apache-2016-02"),
])
def test_index_rotation_matches_aws_examples(rotation, expected):
    assert index_rotation.index_name("apache", rotation, ARRIVAL_MS) == expected


def test_s3_key_has_aws_layout():
    key = s3_keys.object_key("apache_", "webserver_stream", "1", ARRIVAL_MS)
    assert re.fullmatch(r"apache_2016/02/25/13/webserver_stream-1-2016-02-25-13-00-00-"
                        r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", key), key


def test_gzip_objects_end_in_gz_and_file_extension_wins():
    assert s3_keys.object_key("", "s", "1", ARRIVAL_MS, compression="GZIP").endswith(".gz")
    assert s3_keys.object_key("", "s", "1", ARRIVAL_MS, "GZIP", file_extension=".json.gz").endswith(".json.gz")


def test_error_output_type_expression():
    when = datetime(2016, 2, 25, 13, 0, tzinfo=UTC)
    prefix = s3_keys.expand_prefix("errors/!{firehose:error-output-type}/!{timestamp:yyyy/MM}/",
                                   when, "processing-failed")
    assert prefix == "errors/processing-failed/2016/02/"


def test_processing_failed_record_has_aws_fields():
    failure = error_records.ProcessingFailure("Lambda.FunctionError", "boom", 4, ARRIVAL_MS + 5)
    line = json.loads(error_records.processing_failed_line(ARRIVAL_MS, b"raw\n", failure, "arn:fn"))
    assert line == {"attemptsMade": 4, "arrivalTimestamp": ARRIVAL_MS, "errorCode": "Lambda.FunctionError",
                    "errorMessage": "boom", "attemptEndingTimestamp": ARRIVAL_MS + 5,
                    "rawData": base64.b64encode(b"raw\n").decode(), "lambdaArn": "arn:fn"}


def test_counters_add_every_field():
    total = StreamCounters(received=3, delivered=1)
    total.add(StreamCounters(delivered=2, dropped=1, s3_objects=1))
    assert total == StreamCounters(received=3, delivered=3, dropped=1, s3_objects=1)


def test_environment_defaults_and_values():
    assert environment.load({}) == environment.FirehoseEnvironment()
    env = environment.load({"LAB_FIREHOSE_MAX_BUFFER_MB": "2", "LAB_FIREHOSE_LAMBDA_CONCURRENCY": "5",
                            "LAB_OPENSEARCH_ENDPOINTS": '{"d": "http://h:1/"}'})
    assert (env.max_buffered_bytes, env.lambda_concurrency) == (2 * 1024 * 1024, 5)
    assert env.opensearch_endpoints == {"d": "http://h:1"}


@pytest.mark.parametrize("key, value", [
    ("LAB_FIREHOSE_MAX_BUFFER_MB", "lots"), ("LAB_FIREHOSE_MAX_BUFFER_MB", "0"),
    ("LAB_FIREHOSE_LAMBDA_CONCURRENCY", "2.5"), ("LAB_OPENSEARCH_ENDPOINTS", "[1, 2]"),
])
def test_bad_environment_names_the_key(key, value):
    with pytest.raises(environment.FirehoseConfigError, match=key):
        environment.load({key: value})


def test_journal_keeps_streams_and_records_by_stream_key(tmp_path):
    from lab_localstack.firehose.journal import Journal, NewRecord, StreamKey

    key = StreamKey("000000000000", "us-east-1", "web/stream")
    assert StreamKey.parse(str(key)) == key
    journal = Journal(tmp_path / "firehose.db")
    journal.save_stream(key, {"DeliveryStreamName": "web/stream"}, [{"Key": "k", "Value": "v"}], {"received": 0})
    journal.append(key, [NewRecord(record_id="r1", arrival_ms=ARRIVAL_MS, data=b"line\n")], {"received": 1})
    [stored] = Journal(tmp_path / "firehose.db").load_streams()
    assert stored.stream_key == key and stored.tags == [{"Key": "k", "Value": "v"}]
    assert journal.buffered(key)[:2] == (1, 5)
