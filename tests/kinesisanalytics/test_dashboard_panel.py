"""The dashboard panel "requests per client per 10 s" fed by the real chain: the sibling lab's
application (labctl.streaming_sql's request and SQL) reads generated traffic from Kinesis, its
DASHBOARD_STREAM goes through the lab's Firehose to real OpenSearch
into `web-access-counts` created with the dashboards' mapping, and the report's panel shows,
window by window, the counts of an independent computation from the records sent."""
from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest
import requests
from labctl import streaming_sql
from opensearchpy import OpenSearch

from kibana_dashboards.panels import REQUESTS_PER_CLIENT, STREAMING_SQL
from kibana_dashboards.report import build
from kibana_dashboards.sources import WEB_ACCESS_COUNTS, WEB_ACCESS_COUNTS_MAPPING
from tests.kinesisanalytics.conftest import ROLE, collect, make_stream, put, unique
from tests.kinesisanalytics.test_issue_sql import WINDOW_S, send_windows
from tests.support.firehose_calls import make_bucket, s3_destination
from tests.support.waiting import scaled

pytestmark = pytest.mark.localstack
INDEX = WEB_ACCESS_COUNTS.title


@pytest.fixture
def opensearch_node(opensearch_server):
    """The session's real OpenSearch node, without this test's index."""
    opensearch_server.client().indices.delete(index=INDEX, ignore_unavailable=True)
    opensearch_server.filled = False
    return opensearch_server


def index_stream(localstack, opensearch_node) -> str:
    """A Direct PUT delivery stream into `web-access-counts`, as provisioning creates it."""
    firehose, bucket, name = localstack.client("firehose"), make_bucket(localstack), unique("kda-index")
    firehose.create_delivery_stream(DeliveryStreamName=name, DeliveryStreamType="DirectPut",
                                    AmazonopensearchserviceDestinationConfiguration={
                                        "RoleARN": ROLE, "ClusterEndpoint": opensearch_node.url, "IndexName": INDEX,
                                        "IndexRotationPeriod": "NoRotation",
                                        "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": 0},
                                        "S3BackupMode": "FailedDocumentsOnly",
                                        "S3Configuration": s3_destination(bucket)})
    return firehose.describe_delivery_stream(DeliveryStreamName=name)["DeliveryStreamDescription"]["DeliveryStreamARN"]


def indexed_total(opensearch_node) -> int:
    requests.post(f"{opensearch_node.url}/{INDEX}/_refresh", timeout=scaled(30))
    answer = opensearch_node.client().search(index=INDEX, body={"size": 0, "aggs": {"n": {"sum": {"field": "REQUEST_COUNT"}}}})
    return int(answer["aggregations"]["n"]["value"] or 0)


def test_the_panel_shows_the_applications_counts(localstack, opensearch_node, tmp_path):
    requests.put(f"{opensearch_node.url}/{INDEX}", json=WEB_ACCESS_COUNTS_MAPPING, timeout=scaled(30)).raise_for_status()
    source, name = make_stream(localstack), unique("kda-dashboard")
    request = streaming_sql.application_request()
    request["ApplicationName"] = name
    request["Inputs"][0]["KinesisStreamsInput"]["ResourceARN"] = source
    dashboard_output = next(o for o in request["Outputs"] if o["Name"] == "DASHBOARD_STREAM")
    dashboard_output["KinesisFirehoseOutput"]["ResourceARN"] = index_stream(localstack, opensearch_node)
    request["Outputs"] = [dashboard_output]
    kda = localstack.client("kinesisanalytics")
    kda.create_application(**request)
    input_id = kda.describe_application(ApplicationName=name)["ApplicationDetail"]["InputDescriptions"][0]["InputId"]
    kda.start_application(ApplicationName=name, InputConfigurations=[
        {"Id": input_id, "InputStartingPositionConfiguration": {"InputStartingPosition": "NOW"}}])
    collect(lambda: kda.describe_application(ApplicationName=name)["ApplicationDetail"]["ApplicationStatus"],
            lambda status: status == "RUNNING", what="application RUNNING")

    sent = send_windows(lambda payloads: put(localstack, source, payloads), random.Random(21), 2, 25)
    collect(lambda: indexed_total(opensearch_node), lambda total: total >= sum(sent.values()), timeout=60,
            what="the application's rows in web-access-counts")
    kda.stop_application(ApplicationName=name)

    report = build(OpenSearch(hosts=[opensearch_node.url]), tmp_path / "report", range_spec="auto")
    assert STREAMING_SQL in report.dashboards
    panel = report.results[REQUESTS_PER_CLIENT.id]
    assert (panel.interval, panel.total_hits) == ("10s", len(sent))  # one row per client and window
    drawn = {(t, client): v for client, values in panel.series.items()
             for t, v in zip(panel.times, values) if v}
    expected = {(datetime.fromtimestamp((window + 1) * WINDOW_S, UTC), client): float(n)
                for (window, client), n in sent.items()}
    assert drawn == expected       # bucket key = WINDOW_END, the end of the 10 s window
