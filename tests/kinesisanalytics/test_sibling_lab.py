"""The sibling lab in the lab: Apache logs the lab's JSON format (LAB_ACCESS_LOG_FORMAT=kinesis),
the agent's flow feeds `web-access-log`, and provisioning creates the application with the lab's
SQL verbatim; lines through it come out as per-client counts on `web-access-counts`."""
from __future__ import annotations

import http.client
import json
from collections import Counter
from pathlib import Path

import pytest
from labctl import apache_host, native, provision, settings, streaming_sql
from labctl import settings as lab

from tests.apache.server import free_port, wait_for_lines
from tests.kinesisanalytics.conftest import ISSUE_SQL, collect, put, read_json
from tests.support.waiting import wait_for

ISSUE_FIELDS = {"request_time", "client_ip", "client_hostname", "server_ip", "request", "http_method", "status",
                "size", "userAgent", "referer"}


@pytest.mark.unit
def test_the_setting_names_a_bad_value():
    with pytest.raises(settings.SettingsError, match="LAB_ACCESS_LOG_FORMAT"):
        settings.load({"LAB_ACCESS_LOG_FORMAT": "xml"})
    assert settings.load({"LAB_ACCESS_LOG_FORMAT": "kinesis"}).access_log_format == "kinesis"


@pytest.mark.unit
def test_the_agent_flow_feeds_web_access_log_in_the_json_format(tmp_path):
    json_lab = settings.load({"LAB_ACCESS_LOG_FORMAT": "kinesis", "LAB_STATE_DIR": str(tmp_path)})
    workshop = settings.load({"LAB_STATE_DIR": str(tmp_path)})
    assert native.agent_config(json_lab)["flows"][0]["kinesisStream"] == "web-access-log"
    assert "deliveryStream" not in native.agent_config(json_lab)["flows"][0]
    assert native.agent_config(workshop)["flows"][0]["deliveryStream"] == "webserver_stream"


@pytest.mark.apache
def test_apache_logs_the_labs_json_format(tmp_path):
    cfg = apache_host.ApacheHostConfig(port=free_port(), state_dir=tmp_path, timezone="UTC", json_log=True)
    apache_host.start(cfg)
    try:
        connection = http.client.HTTPConnection(cfg.listen, cfg.port, timeout=10)
        connection.request("GET", "/", headers={"User-Agent": "ApacheBench/2.3", "X-Forwarded-For": "2001:db8::7"})
        connection.getresponse().read()
        connection.close()
        line = wait_for_lines(cfg.access_log, 1)[0]
    finally:
        apache_host.stop(cfg)
    record = json.loads(line)
    assert set(record) == ISSUE_FIELDS
    assert record["client_ip"] == "2001:db8::7" and record["userAgent"] == "ApacheBench/2.3"
    assert record["http_method"] == "GET" and record["status"] == "200"


@pytest.mark.localstack
def test_provisioning_runs_the_labs_sql_on_web_access_log(localstack):
    zip_path = Path(lab.REPO_ROOT) / "build" / "apache_ETL.zip"
    if not zip_path.exists():
        import subprocess
        import sys
        subprocess.run([sys.executable, "-m", "etl.package", "--output", str(zip_path)], check=True)
    target = provision.ProvisionTarget(localstack_url=localstack.url, opensearch_url="http://127.0.0.1:9",
                                       lambda_zip=zip_path, buffer_interval=5)
    provision.provision(target, with_template=False)
    kda = localstack.client("kinesisanalytics")
    detail = kda.describe_application(ApplicationName="web-access-log-counts")["ApplicationDetail"]
    assert detail["ApplicationCode"].startswith(ISSUE_SQL)
    assert {o["Name"] for o in detail["OutputDescriptions"]} == {"DESTINATION_SQL_STREAM", "DASHBOARD_STREAM"}
    wait_for(lambda: kda.describe_application(ApplicationName="web-access-log-counts")["ApplicationDetail"][
        "ApplicationStatus"] == "RUNNING", what="application RUNNING")
    provision.provision(target, with_template=False)        # idempotent: nothing changes
    clients = ["203.0.113.7"] * 3 + ["198.51.100.20"] * 5
    stream_arn = f"arn:aws:kinesis:us-east-1:000000000000:stream/{lab.KINESIS_STREAM}"
    put(localstack, stream_arn, [json.dumps({"client_ip": c, "status": "200"}).encode() for c in clients])
    output_arn = f"arn:aws:kinesis:us-east-1:000000000000:stream/{lab.ANALYTICS_OUTPUT_STREAM}"
    rows = collect(lambda: read_json(localstack, output_arn), lambda r: sum(x["REQUEST_COUNT"] for x in r) >= len(clients), timeout=30, what="counts on web-access-counts")
    got = Counter()
    for row in rows:
        got[row["CLIENT_IP"]] += row["REQUEST_COUNT"]
    assert got == Counter(clients)
    assert streaming_sql.LAB_SQL == ISSUE_SQL
