"""`load`: template into OpenSearch (real OpenSearch) and saved objects through the
Saved Objects import API.

No OpenSearch Dashboards can run here, so the import side is checked against
a small HTTP server that enforces the import API's documented contract
(POST /api/saved_objects/_import?overwrite=true, multipart field `file` named
*.ndjson, `osd-xsrf` header, references must resolve, 503 while starting) and
keeps what it was given, the way Dashboards would.
"""

from __future__ import annotations

import email.parser
import email.policy
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest
from opensearchpy import OpenSearch

from kibana_dashboards import INDEX_PATTERN_ID
from kibana_dashboards.__main__ import main
from kibana_dashboards.legacy import convert
from kibana_dashboards.loader import ImportFailed, import_objects
from kibana_dashboards.saved_objects import build_objects, to_ndjson

pytestmark = [pytest.mark.opensearch]


class ImportApi(BaseHTTPRequestHandler):
    """The Saved Objects import contract, strictly: refuses anything Dashboards would."""

    store: dict  # (type, id) -> object
    settings: dict
    unready: list  # answers 503 while this holds items (server starting)
    requests_seen: list

    def log_message(self, *args):  # keep pytest output clean
        pass

    def _answer(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        url = urlparse(self.path)
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.requests_seen.append(url.path)
        if self.unready:
            self.unready.pop()
            return self._answer(503, {"message": "OpenSearch Dashboards server is not ready yet"})
        if self.headers.get("osd-xsrf") is None:
            return self._answer(400, {"message": "Request must contain a osd-xsrf header."})
        if url.path == "/api/opensearch-dashboards/settings":
            self.settings.update(json.loads(body)["changes"])
            return self._answer(200, {"settings": self.settings})
        if url.path != "/api/saved_objects/_import":
            return self._answer(404, {"message": "Not Found"})
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            b"Content-Type: " + self.headers["Content-Type"].encode() + b"\r\n\r\n" + body)
        parts = [p for p in message.iter_parts() if p.get_param("name", header="content-disposition") == "file"]
        if len(parts) != 1 or not parts[0].get_filename("").endswith(".ndjson"):
            return self._answer(415, {"message": "Unsupported file extension"})
        overwrite = parse_qs(url.query).get("overwrite") == ["true"]
        objects = [json.loads(line) for line in parts[0].get_payload(decode=True).decode().splitlines()
                   if line.strip()]
        present = set(self.store) | {(o["type"], o["id"]) for o in objects}
        errors = []
        for obj in objects:
            missing = [r for r in obj["references"] if (r["type"], r["id"]) not in present]
            if missing:
                errors.append({"id": obj["id"], "type": obj["type"], "error": {
                    "type": "missing_references", "references": missing}})
            elif (obj["type"], obj["id"]) in self.store and not overwrite:
                errors.append({"id": obj["id"], "type": obj["type"], "error": {"type": "conflict"}})
        if not errors:
            for obj in objects:
                self.store[(obj["type"], obj["id"])] = obj
        self._answer(200, {"success": not errors, "successCount": 0 if errors else len(objects),
                           **({"errors": errors} if errors else {})})


@pytest.fixture
def dashboards():
    handler = type("Api", (ImportApi,), {"store": {}, "settings": {}, "unready": [1, 1],
                                         "requests_seen": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", handler
    server.shutdown()
    server.server_close()


def test_load_is_idempotent_and_waits_for_dashboards(dashboards, empty_opensearch, capsys):
    url, api = dashboards
    assert main(["load", "--url", url, "--opensearch-url", empty_opensearch, "--wait", "60"]) == 0
    assert api.requests_seen.count("/api/saved_objects/_import") == 3  # two 503s, then imported
    first = json.dumps(sorted(api.store.items()), sort_keys=True, default=str)
    assert len(api.store) == len(build_objects())
    assert api.settings == {"defaultIndex": INDEX_PATTERN_ID}
    stored = OpenSearch(hosts=[empty_opensearch]).indices.get_index_template(name="apache")
    assert stored["index_templates"][0]["index_template"]["index_patterns"] == ["apache*"]

    assert main(["load", "--url", url, "--opensearch-url", empty_opensearch, "--wait", "60"]) == 0
    assert json.dumps(sorted(api.store.items()), sort_keys=True, default=str) == first
    assert "saved objects imported" in capsys.readouterr().out


def test_load_imports_a_converted_legacy_export_with_the_lab(dashboards, workshop_export, tmp_path):
    url, api = dashboards
    converted = tmp_path / "workshop.ndjson"
    converted.write_text(to_ndjson(convert(workshop_export)))
    assert main(["load", "--url", url, "--ndjson", str(converted), "--wait", "60"]) == 0
    titles = {o["attributes"]["title"] for o in api.store.values()}
    assert "Clickstream Dashboard" in titles and "Unicorn Shop Insights" in titles


def test_import_errors_are_reported(dashboards):
    url, api = dashboards
    api.unready.clear()
    lonely = [o for o in build_objects() if o["type"] == "visualization"][:1]  # no index pattern
    with pytest.raises(ImportFailed, match="missing_references"):
        import_objects(url, lonely, wait=10)
    assert main(["load", "--url", url + "/nowhere", "--wait", "2"]) == 1
