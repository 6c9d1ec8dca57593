"""`make status` pieces that need no running lab: where S3 keys are counted,
and the accounting line."""
import pytest
from labctl import stage_counts, status

pytestmark = pytest.mark.unit


OBJECT = "2026-11-22-05-31-55-0f4c4a1e-5a7b-4f65-9d3c-2b1f0e6a9c11"   # Firehose's name after <stream>-<version>-


@pytest.mark.parametrize("key, expected", [
    (f"apache_2026/11/22/05/webserver_stream-1-{OBJECT}", "backup"),
    (f"apache_AmazonOpenSearchService-failed/2026/11/22/05/webserver_stream-1-{OBJECT}", "opensearch_failed"),
    (f"apache_elasticsearch-failed/2026/11/22/05/webserver_stream-1-{OBJECT}", "elasticsearch_failed"),
    (f"processing-failed/2026/11/22/05/webserver_stream-1-{OBJECT}", "processing_failed"),
    (f"web-access-log/2026/11/22/05/web_access_log_archive-1-{OBJECT}", "kinesis_archive"),
    ("somebody-elses/object", None),
    # an attendee's stream, named like the lab's, its backup prefix starting like the lab's (issue 35)
    (f"apache_me_2026/11/22/05/webserver_stream_me-1-{OBJECT}", None),
    (f"apache_2026/11/22/05/webserver_stream_me-1-{OBJECT}", None),
    (f"processing-failed/2026/11/22/05/webserver_stream_me-1-{OBJECT}", None),
    (f"apache_me_AmazonOpenSearchService-failed/2026/11/22/05/webserver_stream-1-{OBJECT}", None),
    ("apache_notes.txt", None),
])
def test_each_output_is_counted_under_its_own_prefix(key, expected):
    assert stage_counts.prefix_name(key) == expected


def test_other_streams_indices_and_objects_are_listed_apart_and_not_counted():
    st = status.LabStatus(runtime="native", log_lines=10, index_documents=10,
                          firehose={"webserver_stream": {"received": 10, "delivered": 10}},
                          others={"delivery_streams": {"webserver_stream_me": {"received": 50, "delivered": 45,
                                                                                "processing_failed": 5}},
                                  "indices": {"apache_me": 45}, "s3_objects": {"webserver_stream_me": 3}})
    text = status.render_text(st)
    assert "Accounted: 10 of 10 lines (all accounted for)" in text
    yours = text[text.index("Not the lab's"):]
    assert "firehose webserver_stream_me" in yours and "received 50, delivered 45, processing_failed 5" in yours
    assert "index apache_me" in yours and "45 documents" in yours
    assert "webserver_stream_me" not in text[:text.index("Not the lab's")]


def test_accounted_adds_index_failures_and_dropped():
    st = status.LabStatus(runtime="native", log_lines=100, index_documents=90,
                          s3_records={"processing_failed": 4, "opensearch_failed": 3, "backup": 90},
                          firehose={"webserver_stream": {"dropped": 3}})
    assert st.accounted == 100
    assert "all accounted for" in status.render_text(st)
    st.index_documents = 89
    assert "in flight or missing" in status.render_text(st)


FIREHOSE = {"received": 2000, "delivered": 1990, "dropped": 0, "processing_failed": 10, "delivery_failed": 0,
            "backed_up": 1990, "lambda_invocations": 4, "lambda_errors": 0, "delivery_retries": 0, "s3_objects": 8,
            "bulk_requests": 4, "rejected_puts": 0, "deaggregated": 0, "partitioning_failed": 0,
            "format_conversion_failed": 0, "buffered_records": 0, "buffered_bytes": 0}


def firehose_line(text: str, stream: str) -> str:
    return next(line for line in text.splitlines() if line.startswith(f"  firehose {stream} "))


def test_a_streams_line_shows_only_its_non_zero_counters_and_all_of_them_with_verbose():
    st = status.LabStatus(runtime="native", log_lines=2000, index_documents=1990,
                          s3_records={"processing_failed": 10},
                          firehose={"webserver_stream": FIREHOSE, "web_access_log_archive": dict.fromkeys(FIREHOSE, 0)})
    line = firehose_line(status.render_text(st), "webserver_stream")
    assert line.split(None, 2)[2] == ("received 2000, delivered 1990, processing_failed 10, backed_up 1990, "
                                      "lambda_invocations 4, s3_objects 8, bulk_requests 4")
    assert len(line) < 160
    assert firehose_line(status.render_text(st), "web_access_log_archive").endswith("nothing received")
    verbose = firehose_line(status.render_text(st, verbose=True), "webserver_stream")
    assert "dropped 0" in verbose and "buffered_bytes 0" in verbose


def test_lines_waiting_in_the_buffer_are_said_to_be_buffered_not_missing():
    buffering = {**FIREHOSE, "delivered": 0, "processing_failed": 0, "buffered_records": 2000}
    st = status.LabStatus(runtime="native", log_lines=2000, index_documents=0,
                          firehose={"webserver_stream": buffering})
    text = status.render_text(st)
    assert "Accounted: 0 of 2000 lines (2000 buffered in webserver_stream: delivered when its buffer " \
           "interval ends)" in text, text
    assert "missing" not in text
    st.firehose = {"webserver_stream": {**buffering, "buffered_records": 1500}}
    assert "(in flight or missing)" in status.render_text(st)


def test_status_dash_v_asks_for_every_counter_not_for_debug_logging():
    from labctl.__main__ import build_parser

    args = build_parser().parse_args(["status", "-v"])
    assert args.details is True and args.verbose is False
