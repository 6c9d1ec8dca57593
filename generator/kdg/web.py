"""The KDG web page and its JSON API, served by the standard library's http.server on
127.0.0.1 only: a template editor (checked as you type, errors with line and column),
stream type and stream picker (the lab's Kinesis streams and Firehose delivery streams),
rate, Send / Stop, and each generator's records-sent counter, live.

API: GET /api/streams; POST /api/check {template} -> samples or error;
POST /api/runs {template, type, stream, rate, seed?} -> a run; GET /api/runs;
POST /api/runs/<id>/stop -> the run's final counts."""

from __future__ import annotations

import itertools
import json
import logging
import signal
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from generator.kdg.helpers import make_context
from generator.kdg.sender import Generator, Target, list_streams, make_clients
from generator.kdg.template import TemplateError, compile_template

log = logging.getLogger(__name__)

HOST = "127.0.0.1"
PAGE = Path(__file__).with_name("static") / "index.html"
SAMPLES = 5  # records shown by "Test template", as KDG


class BadRequest(ValueError):
    def __init__(self, body: dict[str, Any]) -> None:
        super().__init__(str(body))
        self.body = body


class KdgApp:
    """The generators started from the page, by id."""

    def __init__(self, endpoint_url: str) -> None:
        self.clients = make_clients(endpoint_url)
        self.runs: dict[int, tuple[dict[str, Any], Generator]] = {}
        self.ids = itertools.count(1)
        self.lock = threading.Lock()

    def check(self, body: dict[str, Any]) -> dict[str, Any]:
        template = _template(body)
        context = make_context(body.get("seed"))
        return {"ok": True, "samples": [template.render(context) for _ in range(SAMPLES)]}

    def start(self, body: dict[str, Any]) -> dict[str, Any]:
        template = _template(body)
        try:
            target = Target(str(body.get("type")), str(body.get("stream") or ""))
            rate = float(body.get("rate", 0))
            if not target.name:
                raise ValueError("pick a stream")
            if rate <= 0:
                raise ValueError("the rate must be a number of records per second > 0")
        except (TypeError, ValueError) as error:
            raise BadRequest({"error": {"text": str(error)}}) from None
        generator = Generator(template, target, self.clients, rate, seed=body.get("seed"))
        with self.lock:
            run_id = next(self.ids)
            info = {"id": run_id, "type": target.kind, "stream": target.name, "rate": rate}
            self.runs[run_id] = (info, generator)
        generator.start()
        log.info("run %d: %s %s at %s records/s", run_id, target.kind, target.name, rate)
        return self._view(run_id)

    def stop(self, run_id: int) -> dict[str, Any]:
        with self.lock:
            if run_id not in self.runs:
                raise BadRequest({"error": {"text": f"no run {run_id}"}})
            generator = self.runs[run_id][1]
        generator.stop()
        generator.join(30)
        return self._view(run_id)

    def stop_all(self) -> None:
        with self.lock:
            generators = [g for _, g in self.runs.values()]
        for g in generators:
            g.stop()
        for g in generators:
            g.join(30)

    def _view(self, run_id: int) -> dict[str, Any]:
        info, generator = self.runs[run_id]
        return {**info, **generator.progress.snapshot()}

    def list_runs(self) -> dict[str, Any]:
        with self.lock:
            ids = sorted(self.runs)
        runs = [self._view(i) for i in ids]
        return {"runs": runs, "total_sent": sum(r["sent"] for r in runs)}


def _template(body: dict[str, Any]):
    try:
        return compile_template(str(body.get("template", "")))
    except TemplateError as error:
        raise BadRequest({"ok": False, "error": error.as_dict()}) from None


class Handler(BaseHTTPRequestHandler):
    app: KdgApp  # set on the subclass serve() makes

    def log_message(self, fmt: str, *args: Any) -> None:
        log.debug("%s " + fmt, self.address_string(), *args)

    def _reply(self, status: int, body: Any, content_type: str = "application/json") -> None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        if self.path in ("/", "/index.html"):
            self._reply(HTTPStatus.OK, PAGE.read_bytes(), "text/html; charset=utf-8")
        elif self.path == "/api/streams":
            self._guard(lambda: list_streams(self.app.clients))
        elif self.path == "/api/runs":
            self._guard(self.app.list_runs)
        else:
            self._reply(HTTPStatus.NOT_FOUND, {"error": {"text": f"no page {self.path}"}})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
        except ValueError:
            self._reply(HTTPStatus.BAD_REQUEST, {"error": {"text": "the request is not JSON"}})
            return
        parts = self.path.strip("/").split("/")
        if self.path == "/api/check":
            self._guard(lambda: self.app.check(body))
        elif self.path == "/api/runs":
            self._guard(lambda: self.app.start(body))
        elif len(parts) == 4 and parts[:2] == ["api", "runs"] and parts[3] == "stop" and parts[2].isdigit():
            self._guard(lambda: self.app.stop(int(parts[2])))
        else:
            self._reply(HTTPStatus.NOT_FOUND, {"error": {"text": f"no API {self.path}"}})

    def _guard(self, call) -> None:
        try:
            self._reply(HTTPStatus.OK, call())
        except BadRequest as error:
            self._reply(HTTPStatus.BAD_REQUEST, error.body)
        except (ClientError, BotoCoreError) as error:  # the page shows it; the server keeps serving
            log.error("request %s failed: %s", self.path, error)
            self._reply(HTTPStatus.BAD_GATEWAY, {"error": {"text": f"{type(error).__name__}: {error}"}})


def make_server(port: int, endpoint_url: str) -> tuple[ThreadingHTTPServer, KdgApp]:
    """The page's server on 127.0.0.1:port (0 = a free port), not yet serving."""
    app = KdgApp(endpoint_url)
    handler = type("KdgHandler", (Handler,), {"app": app})
    server = ThreadingHTTPServer((HOST, port), handler)
    server.daemon_threads = True
    return server, app


def serve(port: int, endpoint_url: str) -> int:
    server, app = make_server(port, endpoint_url)
    url = f"http://{HOST}:{server.server_address[1]}/"
    print(f"Kinesis Data Generator: {url} (LocalStack {endpoint_url}); Ctrl-C stops", flush=True)
    # SIGTERM (`kill`, a supervisor) stops like Ctrl-C: generators first, with their counts.
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        app.stop_all()
        server.server_close()
        for run in app.list_runs()["runs"]:
            print(f"run {run['id']}: {run['sent']} records sent to {run['type']} {run['stream']}, "
                  f"{run['failed']} failed ({run['state']})", flush=True)
    return 0
