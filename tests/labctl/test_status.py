"""`make status` pieces that need no running lab: where S3 keys are counted,
and the accounting line."""
import pytest
from labctl import status

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("key, expected", [
    ("apache_2026/11/22/05/webserver_stream-1-2026-11-22-05-31-55-abc", "backup"),
    ("apache_AmazonOpenSearchService-failed/2026/11/22/05/webserver_stream-1-x", "opensearch_failed"),
    ("apache_elasticsearch-failed/2026/11/22/05/webserver_stream-1-x", "elasticsearch_failed"),
    ("processing-failed/2026/11/22/05/webserver_stream-1-x", "processing_failed"),
    ("web-access-log/2026/11/22/05/web_access_log_archive-1-x", "kinesis_archive"),
    ("somebody-elses/object", None),
])
def test_each_output_is_counted_under_its_own_prefix(key, expected):
    assert status.prefix_name(key) == expected


def test_accounted_adds_index_failures_and_dropped():
    st = status.LabStatus(runtime="native", log_lines=100, index_documents=90,
                          s3_records={"processing_failed": 4, "opensearch_failed": 3, "backup": 90},
                          firehose={"webserver_stream": {"dropped": 3}})
    assert st.accounted == 100
    assert "all accounted for" in status.render_text(st)
    st.index_documents = 89
    assert "in flight or missing" in status.render_text(st)
