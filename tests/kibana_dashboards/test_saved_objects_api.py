"""The native Dashboards API (services/dashboards/lab_dashboards, issue 37) on real OpenSearch:
the lab's loader works against it unchanged, `_export`/`_import` round-trip the lab's objects,
and it answers as OpenSearch Dashboards 2.x does.

Expectations come from Dashboards' documentation, not from the server's code: the saved objects
APIs of OpenSearch Dashboards (https://docs.opensearch.org/latest/dashboards/management/saved-objects-api/)
and of Kibana 7.10, which Dashboards forked (https://www.elastic.co/guide/en/kibana/7.10/saved-objects-api.html:
import, export, find, bulk get, create, get, update, delete), and OpenSearch's "Common issues"
page for the `osd-xsrf` header (`kbn-xsrf` is refused). Where the documentation is silent the
source of OpenSearch Dashboards 2.x says what happens (named at the test).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
from pathlib import Path
from typing import Any

import pytest
import requests
from lab_dashboards.__main__ import command

from kibana_dashboards import INDEX_PATTERN_ID
from kibana_dashboards.__main__ import main as kibana_dashboards_main
from kibana_dashboards.legacy import convert
from kibana_dashboards.saved_objects import bundled_ndjson, parse_ndjson, to_ndjson
from tests.conftest import REPO, free_port
from tests.support.listening import listening_sockets
from tests.support.waiting import scaled, wait_for

pytestmark = pytest.mark.opensearch

XSRF = {"osd-xsrf": "true"}
LAB_TYPES = ["index-pattern", "visualization", "dashboard"]
CLICKSTREAM_DASHBOARD = "06d14d50-e3c6-11e8-bf67-e7c46fbb018b"


class DashboardsProcess:
    """`python -m lab_dashboards` on a free loopback port, as the lab's supervision starts it."""

    def __init__(self, opensearch_url: str, log_file: Path) -> None:
        self.opensearch_url, self.log_file = opensearch_url, log_file
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> DashboardsProcess:
        with open(self.log_file, "ab") as log:
            self.proc = subprocess.Popen(command(self.port, self.opensearch_url), cwd=REPO, stdout=log,
                                         stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"})

        def ready() -> bool:
            assert self.proc.poll() is None, self.log_file.read_text(errors="replace")[-3000:]
            try:
                return requests.get(self.url + "/api/status", timeout=5).status_code == 200
            except requests.ConnectionError:
                return False
        wait_for(ready, timeout=30, interval=0.1, what=f"the Dashboards API on {self.url}")
        return self

    def stop(self) -> int | None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(scaled(20))
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        return self.proc.returncode if self.proc else None

    def call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        return requests.request(method, self.url + path, timeout=scaled(60), **kwargs)


@pytest.fixture
def dashboards(empty_opensearch, tmp_path):
    """The server on an emptied OpenSearch (no `.kibana` yet)."""
    server = DashboardsProcess(empty_opensearch, tmp_path / "dashboards.log").start()
    yield server
    server.stop()


def lab_objects() -> list[dict[str, Any]]:
    return parse_ndjson(bundled_ndjson())


def import_file(server: DashboardsProcess, objects: list[dict[str, Any]] | str,
                **params: str) -> requests.Response:
    text = objects if isinstance(objects, str) else to_ndjson(objects)
    return server.call("POST", "/api/saved_objects/_import", params=params, headers=XSRF,
                       files={"file": ("export.ndjson", text.encode(), "application/ndjson")})


def find_all(server: DashboardsProcess, types: list[str] = LAB_TYPES) -> dict[str, Any]:
    answer = server.call("GET", "/api/saved_objects/_find", params={"type": types, "per_page": 1000})
    assert answer.status_code == 200, answer.text
    return answer.json()


def export(server: DashboardsProcess, body: dict[str, Any]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The exported objects and the export details (the last line)."""
    answer = server.call("POST", "/api/saved_objects/_export", json=body, headers=XSRF)
    assert answer.status_code == 200, answer.text
    lines = [json.loads(line) for line in answer.text.splitlines() if line.strip()]
    return lines[:-1], lines[-1]


def essence(obj: dict[str, Any]) -> tuple:
    """What an object is, leaving out what the server sets (updated_at, version)."""
    return (obj["type"], obj["id"], json.dumps(obj["attributes"], sort_keys=True),
            json.dumps(obj.get("references", []), sort_keys=True),
            json.dumps(obj.get("migrationVersion"), sort_keys=True))


def test_the_loader_loads_the_lab_saved_objects_and_find_lists_them(dashboards, capsys):
    url, opensearch_url = dashboards.url, dashboards.opensearch_url
    assert kibana_dashboards_main(["load", "--url", url, "--opensearch-url", opensearch_url, "--wait", "60"]) == 0
    assert "saved objects imported" in capsys.readouterr().out
    expected = lab_objects()
    found = find_all(dashboards)
    assert (found["page"], found["per_page"], found["total"]) == (1, 1000, len(expected))
    assert sorted(essence(o) for o in found["saved_objects"]) == sorted(essence(o) for o in expected)
    # the loader made the lab's index pattern the default one (advanced settings)
    settings = dashboards.call("GET", "/api/opensearch-dashboards/settings").json()["settings"]
    assert settings["defaultIndex"] == {"userValue": INDEX_PATTERN_ID}

    # kept where Dashboards keeps them: `.kibana`, documents `<type>:<id>`, attributes under the type
    doc = requests.get(f"{opensearch_url}/.kibana/_doc/dashboard:{CLICKSTREAM_DASHBOARD}", timeout=30).json()
    dashboard = next(o for o in expected if o["id"] == CLICKSTREAM_DASHBOARD)
    assert doc["_source"]["type"] == "dashboard"
    assert doc["_source"]["dashboard"] == dashboard["attributes"]
    assert doc["_source"]["references"] == dashboard["references"]
    assert doc["_source"]["migrationVersion"] == dashboard["migrationVersion"]
    assert doc["_source"]["updated_at"].endswith("Z")

    # loading again changes nothing (the loader imports with overwrite=true)
    assert kibana_dashboards_main(["load", "--url", url, "--wait", "60"]) == 0
    again = find_all(dashboards)
    assert sorted(essence(o) for o in again["saved_objects"]) == sorted(essence(o) for o in expected)


def test_the_workshop_export_converted_imports_over_the_lab(dashboards, workshop_export):
    assert import_file(dashboards, lab_objects()).json()["success"] is True
    answer = import_file(dashboards, convert(workshop_export), overwrite="true").json()
    assert answer["success"] is True, answer
    titles = {o["attributes"]["title"] for o in find_all(dashboards, ["dashboard"])["saved_objects"]}
    assert "Clickstream Dashboard" in titles


def test_the_readmes_legacy_commands_load_the_workshop_export(dashboards, test_data, tmp_path, capsys):
    """kibana_dashboards/README.md's two commands, as typed: convert-legacy, then load with
    --ndjson. The converted export shares ids with the lab's objects; Dashboards refuses an
    import file holding an object twice, so the loader sends each once, the export's winning."""
    converted = tmp_path / "workshop.ndjson"
    legacy = test_data / "dashboards" / "clickstream_kibana.json"
    assert kibana_dashboards_main(["convert-legacy", str(legacy), "-o", str(converted)]) == 0
    assert kibana_dashboards_main(["load", "--url", dashboards.url, "--ndjson", str(converted), "--wait", "60"]) == 0
    assert "objects replace the lab's of the same id" in capsys.readouterr().out
    workshop = {(o["type"], o["id"]): o for o in convert(json.loads(legacy.read_text()))}
    stored = {(o["type"], o["id"]): o for o in find_all(dashboards)["saved_objects"]}
    assert set(workshop) <= set(stored)
    assert all(stored[key]["attributes"]["title"] == o["attributes"]["title"] for key, o in workshop.items())
    assert len(stored) == len({*workshop, *((o["type"], o["id"]) for o in lab_objects())})


def test_export_then_import_round_trips(dashboards, opensearch_server):
    expected = lab_objects()
    answer = import_file(dashboards, expected)
    assert answer.status_code == 200
    assert answer.json()["success"] is True and answer.json()["successCount"] == len(expected)

    exported, details = export(dashboards, {"type": LAB_TYPES})
    assert details == {"exportedCount": len(expected), "missingRefCount": 0, "missingReferences": []}
    assert sorted(essence(o) for o in exported) == sorted(essence(o) for o in expected)
    position = {(o["type"], o["id"]): n for n, o in enumerate(exported)}
    for obj in exported:  # what an object references comes before it
        assert all(position[(r["type"], r["id"])] < position[(obj["type"], obj["id"])] for r in obj["references"])
    assert all("namespaces" not in o for o in exported)

    opensearch_server.wipe()  # a fresh `.kibana`
    assert find_all(dashboards)["total"] == 0
    text = "\n".join(json.dumps(o) for o in [*exported, details])
    answer = import_file(dashboards, text, overwrite="true").json()
    assert answer["success"] is True and answer["successCount"] == len(expected)
    again, _details = export(dashboards, {"type": LAB_TYPES})
    assert [essence(o) for o in again] == [essence(o) for o in exported]

    # one dashboard with what it references, deep
    deep, details = export(dashboards, {"objects": [{"type": "dashboard", "id": CLICKSTREAM_DASHBOARD}],
                                        "includeReferencesDeep": True})
    dashboard = next(o for o in expected if o["id"] == CLICKSTREAM_DASHBOARD)
    visualizations = {r["id"] for r in dashboard["references"]}
    patterns = {r["id"] for o in expected if o["id"] in visualizations for r in o["references"]}
    assert {o["id"] for o in deep} == {CLICKSTREAM_DASHBOARD} | visualizations | patterns
    assert deep[-1]["id"] == CLICKSTREAM_DASHBOARD and details["exportedCount"] == len(deep)


def test_a_second_import_without_overwrite_reports_conflicts(dashboards):
    objects = lab_objects()
    assert import_file(dashboards, objects).json()["success"] is True
    answer = import_file(dashboards, objects)
    assert answer.status_code == 200
    body = answer.json()
    assert body["success"] is False and body["successCount"] == 0
    assert sorted((e["type"], e["id"]) for e in body["errors"]) == sorted((o["type"], o["id"]) for o in objects)
    assert all(e["error"] == {"type": "conflict"} for e in body["errors"])
    pattern = next(e for e in body["errors"] if e["id"] == INDEX_PATTERN_ID)
    assert pattern["title"] == "apache*" and pattern["meta"]["title"] == "apache*"

    # the documented mixed case: a conflict on the index pattern, a new dashboard counted as a
    # success; while a conflict is unresolved Dashboards writes nothing (import_saved_objects.ts)
    new = {"type": "dashboard", "id": "my-dashboard", "attributes": {"title": "Look at my dashboard"},
           "references": []}
    body = import_file(dashboards, [objects[0], new]).json()
    assert body["success"] is False and body["successCount"] == 1
    assert [(e["id"], e["error"]["type"]) for e in body["errors"]] == [(INDEX_PATTERN_ID, "conflict")]
    assert dashboards.call("GET", "/api/saved_objects/dashboard/my-dashboard").status_code == 404

    # with overwrite=true the same file imports
    body = import_file(dashboards, [objects[0], new], overwrite="true").json()
    assert body["success"] is True and body["successCount"] == 2
    assert dashboards.call("GET", "/api/saved_objects/dashboard/my-dashboard").status_code == 200


def test_missing_references_are_reported(dashboards):
    vis = {"type": "visualization", "id": "my-vis", "attributes": {"title": "my-vis"},
           "references": [{"name": "ref_0", "type": "index-pattern", "id": "my-pattern"}]}
    body = import_file(dashboards, [vis]).json()
    assert body["success"] is False
    assert body["errors"][0]["error"] == {"type": "missing_references",
                                          "references": [{"type": "index-pattern", "id": "my-pattern"}]}
    assert dashboards.call("GET", "/api/saved_objects/visualization/my-vis").status_code == 404


def test_writes_need_the_osd_xsrf_header(dashboards):
    refused = {"statusCode": 400, "error": "Bad Request", "message": "Request must contain a osd-xsrf header."}
    files = {"file": ("export.ndjson", to_ndjson(lab_objects()).encode(), "application/ndjson")}
    for headers in ({}, {"kbn-xsrf": "true"}):  # Kibana's header is not Dashboards'
        answer = dashboards.call("POST", "/api/saved_objects/_import", headers=headers, files=files)
        assert (answer.status_code, answer.json()) == (400, refused)
    assert find_all(dashboards)["total"] == 0
    body = {"attributes": {"title": "my-pattern-*"}}
    assert dashboards.call("POST", "/api/saved_objects/index-pattern/my-pattern", json=body).status_code == 400
    assert dashboards.call("POST", "/api/saved_objects/index-pattern/my-pattern", json=body,
                           headers=XSRF).status_code == 200
    for method in ("PUT", "DELETE"):
        answer = dashboards.call(method, "/api/saved_objects/index-pattern/my-pattern", json=body)
        assert (answer.status_code, answer.json()) == (400, refused)
    assert dashboards.call("GET", "/api/saved_objects/index-pattern/my-pattern").status_code == 200


def test_create_get_update_delete(dashboards):
    path = "/api/saved_objects/index-pattern/my-pattern"
    created = dashboards.call("POST", path, json={"attributes": {"title": "my-pattern-*"}}, headers=XSRF)
    assert created.status_code == 200
    obj = created.json()
    assert (obj["id"], obj["type"], obj["attributes"], obj["references"]) == \
        ("my-pattern", "index-pattern", {"title": "my-pattern-*"}, [])
    assert obj["version"] and obj["updated_at"]

    again = dashboards.call("POST", path, json={"attributes": {"title": "other"}}, headers=XSRF)
    assert again.status_code == 409
    assert again.json()["statusCode"] == 409 and again.json()["error"] == "Conflict"
    overwritten = dashboards.call("POST", path, params={"overwrite": "true"},
                                  json={"attributes": {"title": "other-*"}}, headers=XSRF)
    assert overwritten.status_code == 200
    got = dashboards.call("GET", path).json()
    assert got["attributes"] == {"title": "other-*"} and got["id"] == "my-pattern"

    updated = dashboards.call("PUT", path, json={"attributes": {"title": "changed-*"}}, headers=XSRF)
    assert updated.status_code == 200 and updated.json()["attributes"] == {"title": "changed-*"}
    assert dashboards.call("GET", path).json()["attributes"]["title"] == "changed-*"
    stale = dashboards.call("PUT", path, json={"attributes": {"title": "x"}, "version": got["version"]},
                            headers=XSRF)
    assert stale.status_code == 409
    missing = dashboards.call("PUT", "/api/saved_objects/index-pattern/nothing",
                              json={"attributes": {"title": "x"}}, headers=XSRF)
    assert missing.status_code == 404

    generated = dashboards.call("POST", "/api/saved_objects/dashboard",
                                json={"attributes": {"title": "no id given"}}, headers=XSRF).json()
    assert len(generated["id"]) == 36  # a UUID
    bulk = dashboards.call("POST", "/api/saved_objects/_bulk_get", headers=XSRF,
                           json=[{"type": "index-pattern", "id": "my-pattern"},
                                 {"type": "dashboard", "id": "my-dashboard"}]).json()["saved_objects"]
    assert bulk[0]["attributes"]["title"] == "changed-*"
    assert bulk[1] == {"id": "my-dashboard", "type": "dashboard", "error": {
        "statusCode": 404, "error": "Not Found", "message": "Saved object [dashboard/my-dashboard] not found"}}

    deleted = dashboards.call("DELETE", path, headers=XSRF)
    assert (deleted.status_code, deleted.json()) == (200, {})
    gone = dashboards.call("GET", path)
    assert (gone.status_code, gone.json()) == (404, {
        "statusCode": 404, "error": "Not Found", "message": "Saved object [index-pattern/my-pattern] not found"})
    assert dashboards.call("DELETE", path, headers=XSRF).status_code == 404


def test_find_pages_and_searches(dashboards):
    objects = lab_objects()
    assert import_file(dashboards, objects).json()["success"] is True
    visualizations = [o for o in objects if o["type"] == "visualization"]
    first = dashboards.call("GET", "/api/saved_objects/_find", params={"type": "visualization"}).json()
    assert (first["page"], first["per_page"], first["total"]) == (1, 20, len(visualizations))
    pages = [dashboards.call("GET", "/api/saved_objects/_find",
                             params={"type": "visualization", "per_page": 5, "page": n}).json()
             for n in range(1, len(visualizations) // 5 + 2)]
    ids = [o["id"] for page in pages for o in page["saved_objects"]]
    assert sorted(ids) == sorted(o["id"] for o in visualizations)
    shop = dashboards.call("GET", "/api/saved_objects/_find",
                           params={"type": "visualization", "search_fields": "title", "search": "Shop*",
                                   "per_page": 100}).json()
    assert {o["id"] for o in shop["saved_objects"]} == \
        {o["id"] for o in visualizations if o["attributes"]["title"].startswith("Shop")}


def test_saved_objects_survive_a_restart(dashboards, tmp_path):
    objects = lab_objects()
    assert import_file(dashboards, objects).json()["success"] is True
    before = dashboards.call("GET", f"/api/saved_objects/dashboard/{CLICKSTREAM_DASHBOARD}").json()
    assert dashboards.stop() == 0

    restarted = DashboardsProcess(dashboards.opensearch_url, tmp_path / "restarted.log").start()
    try:
        assert listening_sockets(restarted.proc.pid) == {("127.0.0.1", restarted.port)}
        assert sorted(essence(o) for o in find_all(restarted)["saved_objects"]) == \
            sorted(essence(o) for o in objects)
        assert restarted.call("GET", f"/api/saved_objects/dashboard/{CLICKSTREAM_DASHBOARD}").json() == before
    finally:
        restarted.stop()
