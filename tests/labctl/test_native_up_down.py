"""`make up` / `make down` natively: every service comes up under supervisord,
provisioning ran, and `down` leaves no process of the lab running."""

import psutil
import pytest
import requests
from labctl import native, provision_hook, runtimes, settings, stage_counts, status

from kibana_dashboards.panels import DASHBOARDS
from tests.conftest import free_port
from tests.support.waiting import wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.apache, pytest.mark.localstack, pytest.mark.opensearch]


def lab_processes(state_dir) -> list[psutil.Process]:
    """Processes whose command line or working directory is inside the lab's state dir."""
    found = []
    for proc in psutil.process_iter(["cmdline", "cwd"]):
        try:
            text = " ".join(proc.info["cmdline"] or []) + " " + (proc.info["cwd"] or "")
        except psutil.Error:
            continue
        if str(state_dir) in text:
            found.append(proc)
    return found


def test_up_status_down(tmp_path):
    s = settings.load({"LAB_STATE_DIR": str(tmp_path / "lab"), "LAB_APACHE_PORT": str(free_port()),
                       "LAB_LOCALSTACK_PORT": str(free_port()), "LAB_OPENSEARCH_PORT": str(free_port()),
                       "LAB_DASHBOARDS_PORT": str(free_port()), "LAB_BUFFER_INTERVAL": "1"})
    try:
        native.up(s)
        states = native.program_states(s)
        assert {p: states.get(p) for p in native.PROGRAMS} == {p: "RUNNING" for p in native.PROGRAMS}
        # the real OpenSearch, on loopback, its index in the state dir
        root = requests.get(s.opensearch_url, timeout=5).json()
        assert root["version"]["distribution"] == "opensearch" and root["version"]["number"] == "2.19.4"
        assert (s.state_dir / "opensearch" / "data" / "nodes").is_dir()
        assert provision_hook.state(s) == "SUCCESSFUL"
        st = status.collect(s, runtimes.NativeRuntime(s))
        assert st.services == {"apache": "up", "localstack": "up", "opensearch": "up", "dashboards": "up",
                               "agent": "running"}
        # the Dashboards API, with the lab's saved objects loaded as the compose `setup` loads them
        found = requests.get(s.dashboards_url + "/api/saved_objects/_find", params={"type": "dashboard"},
                             timeout=10).json()
        assert sorted(d["id"] for d in found["saved_objects"]) == sorted(d.id for d in DASHBOARDS)
        assert set(st.firehose) >= {"webserver_stream", "web_access_log_archive"}
        assert st.index_documents == 0 and st.log_lines == 0
        assert lab_processes(s.state_dir), "the lab's processes should be visible while it runs"
    finally:
        assert native.down(s) is True
    wait_for(lambda: not lab_processes(s.state_dir), 30, what="no process of the lab left")
    assert native.down(s) is False  # nothing left to stop


KEPT_DOCUMENTS = 200_000


@pytest.mark.timeout(1500)   # two starts of the whole lab: JVMs start slowly on a loaded 2-core machine
def test_the_index_is_kept_across_down_and_up_without_a_rebuild(tmp_path):
    """OpenSearch keeps its index in the state dir: what it acknowledged before `make down`
    (200,000 documents) is counted again after `make up`, with no S3 replay; it listens on
    127.0.0.1 only."""
    from opensearchpy import OpenSearch, helpers

    s = settings.load({"LAB_STATE_DIR": str(tmp_path / "lab"), "LAB_APACHE_PORT": str(free_port()),
                       "LAB_LOCALSTACK_PORT": str(free_port()), "LAB_OPENSEARCH_PORT": str(free_port()),
                       "LAB_DASHBOARDS_PORT": str(free_port()), "LAB_BUFFER_INTERVAL": "1"})
    count = KEPT_DOCUMENTS
    docs = ({"_index": "apache", "_source": {"request": f"/products/{i}", "response": 200 + i % 3,
                                             "@timestamp": "2026-12-06T10:00:00"}} for i in range(count))
    try:
        native.up(s)
        client = OpenSearch(hosts=[s.opensearch_url], timeout=120)
        written, errors = helpers.bulk(client, docs, chunk_size=5000, refresh=True)
        assert (written, errors) == (count, [])
        pid = native.supervisor_rpc(s).supervisor.getProcessInfo("opensearch")["pid"]
        listening = {c.laddr.ip for p in [psutil.Process(pid), *psutil.Process(pid).children(recursive=True)]
                     for c in p.net_connections(kind="tcp") if c.status == psutil.CONN_LISTEN}
        assert listening and listening <= {"127.0.0.1", "::ffff:127.0.0.1"}, listening  # HTTP and transport
        native.down(s)
        native.up(s)
        # the same count soon after `make up` returns (issue 33: within 60 s), read from disk, not rebuilt
        wait_for(lambda: stage_counts.index_documents(s.opensearch_url) == count, 60,
                 what=f"{count:,} documents counted again")
        hits = client.search(index="apache", body={"query": {"term": {"request.keyword": f"/products/{count - 1}"}}})
        assert hits["hits"]["total"]["value"] == 1
    finally:
        native.down(s)
