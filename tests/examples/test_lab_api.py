"""The public API in this process, and `make wait`, on one lab the API started: a temporary
state folder and free ports; the stream's backup mode and GeoIP as the team set them; `make wait` returns
when the lab is ready or N lines are accounted for and exits 1 naming what is not; attaching
by URL counts the lines this object sent and leaves the lab running; `stop` leaves nothing."""
from __future__ import annotations

import os
import subprocess
import sys

import psutil
import pytest
from clickstream_lab import FirehoseSettings, Lab, LabOptions
from labctl import geoip, native, settings

from tests.conftest import REPO
from tests.support.listening import listening_sockets

pytestmark = [pytest.mark.e2e, pytest.mark.localstack, pytest.mark.timeout(900)]


@pytest.fixture(scope="module")
def api_lab():
    lab = Lab.start(LabOptions(firehose=FirehoseSettings(buffer_interval=1, backup_mode="FailedDocumentsOnly"),
                               geoip=True))
    try:
        yield lab
    finally:
        lab.stop()


def make_wait(lab: Lab, *args: str) -> subprocess.CompletedProcess:
    # LINES as a terminal exports it (its rows) must not count: `make wait` reads ACCOUNTED
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("LAB_")}, **lab._environment,
           "MAKEFLAGS": "", "LINES": "50"}
    return subprocess.run(["make", "-s", "--no-print-directory", "wait", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=300, check=False)


def test_the_lab_runs_on_free_loopback_ports_in_a_temporary_folder(api_lab):
    assert api_lab.settings.state_dir.name.startswith("clickstream-lab-")
    assert api_lab.settings.apache_port != 8080 and api_lab.settings.localstack_port != 4566
    listening = listening_sockets(native.supervisord_pid(api_lab.settings))
    assert {address for address, _port in listening} == {"127.0.0.1"}
    assert {api_lab.settings.apache_port, api_lab.settings.localstack_port,
            api_lab.settings.opensearch_port} <= {port for _address, port in listening}
    stream = api_lab.client("firehose").describe_delivery_stream(DeliveryStreamName="webserver_stream")
    destination = stream["DeliveryStreamDescription"]["Destinations"][0]
    assert destination["AmazonopensearchserviceDestinationDescription"]["S3BackupMode"] == "FailedDocumentsOnly"


def test_make_wait_returns_when_ready_and_when_the_lines_are_accounted_for(api_lab):
    ready = make_wait(api_lab, "TIMEOUT=60")
    assert ready.returncode == 0 and "make wait: the native lab is ready" in ready.stdout, ready.stderr
    api_lab.generate(12, seed=5)
    done = make_wait(api_lab, "ACCOUNTED=12", "TIMEOUT=120")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "12 lines accounted for (12 indexed, 0 processing-failed" in done.stdout
    accounting = api_lab.accounting()
    assert (accounting.written, accounting.indexed) == (12, 12)
    # GeoIP on: DB-IP's database from the lab's cache (shared, kept by make reset), not the state folder
    assert geoip.database_files(api_lab.settings)[0].is_relative_to(settings.cache_root())
    assert not (api_lab.settings.state_dir / "geoip").exists()
    assert any("geo" in document for document in api_lab.documents())
    # FailedDocumentsOnly: the documents that reached OpenSearch are not backed up to S3
    objects = api_lab.client("s3").list_objects_v2(Bucket="clickstream-lab-backup", Prefix="apache_")
    assert not [o["Key"] for o in objects.get("Contents", []) if "failed" not in o["Key"]]


def test_make_wait_times_out_naming_the_accounting_and_the_service_not_ready(api_lab):
    lines = make_wait(api_lab, "ACCOUNTED=1000000", "TIMEOUT=3")
    assert lines.returncode != 0 and "wait] Error 1" in lines.stderr   # labctl's exit 1, through make
    assert "lines are accounted for" in lines.stderr and "of 1000000" in lines.stderr, lines.stderr
    native._supervisorctl(api_lab.settings, "stop", "apache")
    try:
        down = make_wait(api_lab, "TIMEOUT=3")
        assert down.returncode != 0 and "wait] Error 1" in down.stderr
        assert "not ready after 3s: apache down" in down.stderr, down.stderr
    finally:
        native._supervisorctl(api_lab.settings, "start", "apache")
    assert make_wait(api_lab, "TIMEOUT=60").returncode == 0


def test_attached_by_url_it_counts_what_it_sent_and_leaves_the_lab_running(api_lab):
    api_lab.empty()
    assert api_lab.accounting().indexed == 0 and api_lab.accounting().written == 0
    attached = Lab.attach(api_lab.url("apache"), api_lab.url("localstack"), api_lab.url("opensearch"))
    attached.generate(7, seed=9)
    done = attached.wait_accounted(timeout=120)
    assert (done.written, done.indexed) == (7, 7)
    assert api_lab.accounting().written == 7      # the owner counts the access log: the same 7
    assert len(attached.documents()) == 7
    attached.stop()
    assert native.supervisord_pid(api_lab.settings) is not None


def test_stop_leaves_no_process_and_no_state_folder():
    lab = Lab.start(LabOptions())
    pid = native.supervisord_pid(lab.settings)
    tree = [pid, *(p.pid for p in psutil.Process(pid).children(recursive=True))]
    state_dir = lab.settings.state_dir
    lab.stop()
    assert not state_dir.exists()
    assert not [p for p in tree if psutil.pid_exists(p) and psutil.Process(p).status() != psutil.STATUS_ZOMBIE]


def test_a_bad_option_fails_before_anything_starts(tmp_path):
    result = subprocess.run([sys.executable, "-c", ("from clickstream_lab import Lab; "
                             "Lab.start(runtime='native', handler='nope')")], capture_output=True, text=True,
                            check=False, cwd=tmp_path)
    assert result.returncode == 1 and "handler='nope' must be module.function" in result.stderr
