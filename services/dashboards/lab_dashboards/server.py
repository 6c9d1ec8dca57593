"""The HTTP side: OpenSearch Dashboards 2.x's saved objects routes, its advanced settings route
(the loader sets the default index pattern with it) and `/api/status`, on the standard library's
threading HTTP server.

Rules Dashboards applies to every route, kept here: a POST, PUT or DELETE without an `osd-xsrf`
(or `osd-version`) header is refused with 400 ``Request must contain a osd-xsrf header.``
(`kbn-xsrf`, Kibana's name, is not enough); an `osd-version` other than this release's is
refused too; errors are ``{"statusCode", "error", "message"}``; an unknown path is 404.
"""

from __future__ import annotations

import email.parser
import email.policy
import json
import logging
import os
import re
import uuid
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from . import VERSION
from .errors import ApiError
from .store import SavedObjectsStore, generate_id
from .transfer import export_objects, import_objects, parse_ndjson

log = logging.getLogger(__name__)

XSRF_HEADER = "osd-xsrf"
VERSION_HEADER = "osd-version"
MAX_IMPORT_BYTES = 26214400        # savedObjects.maxImportPayloadBytes's default
MAX_JSON_BYTES = 1048576           # hapi's default payload limit
SERVER_NAME = "clickstream-lab-dashboards"   # server.name in services/dashboards/opensearch_dashboards.yml
_OBJECT_PATH = re.compile(r"^/api/saved_objects/(?P<type_>[^/_][^/]*)(?:/(?P<id_>[^/]+))?$")


class Reply:
    """An answer: status, body bytes, headers."""

    def __init__(self, status: int, body: Any, content_type: str = "application/json; charset=utf-8",
                 headers: dict[str, str] | None = None) -> None:
        self.status = status
        if not isinstance(body, bytes):
            body = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
        self.body = body
        self.headers = {"Content-Type": content_type, **(headers or {})}


def _flag(query: dict[str, list[str]], name: str) -> bool:
    value = query.get(name, ["false"])[-1]
    if value not in ("true", "false"):
        raise ApiError(400, f"[request query.{name}]: expected value of type [boolean] but got [string]")
    return value == "true"


def _number(query: dict[str, list[str]], name: str, default: int) -> int:
    if name not in query:
        return default
    value = query[name][-1]
    if not value.isdigit():
        raise ApiError(400, f"[request query.{name}]: expected value of type [number] but got [string]")
    return int(value)


class DashboardsApi:
    """The routes, independent of the HTTP server (one instance per process)."""

    def __init__(self, store: SavedObjectsStore) -> None:
        self.store = store
        self.uuid = str(uuid.uuid4())
        self.since = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")

    def route(self, method: str, path: str) -> tuple[Any, dict[str, str]] | None:
        """The handler for a method and path, with its path parameters; None when there is none."""
        fixed = {
            ("GET", "/api/status"): self.status,
            ("GET", "/api/opensearch-dashboards/settings"): self.get_settings,
            ("POST", "/api/opensearch-dashboards/settings"): self.set_settings,
            ("POST", "/api/saved_objects/_import"): self.import_,
            ("POST", "/api/saved_objects/_export"): self.export,
            ("GET", "/api/saved_objects/_find"): self.find,
            ("POST", "/api/saved_objects/_bulk_get"): self.bulk_get,
        }
        if (method, path) in fixed:
            return fixed[(method, path)], {}
        match = _OBJECT_PATH.match(path)
        if not match:
            return None
        params = {k: unquote(v) for k, v in match.groupdict().items() if v is not None}
        handler = {"GET": self.get, "POST": self.create, "PUT": self.update, "DELETE": self.delete}.get(method)
        if handler is None or ("id_" not in params and method != "POST"):
            return None
        return handler, params

    # -- status and settings ------------------------------------------------------------------
    def status(self, request: Request) -> Reply:
        healthy = self.store.ping()
        level = {"state": "green", "title": "Green", "nickname": "Looking good", "icon": "success"} if healthy \
            else {"state": "red", "title": "Red", "nickname": "Unavailable", "icon": "danger"}
        opensearch = {"id": "core:opensearch@" + VERSION, "message": "OpenSearch is available" if healthy
                      else f"Unable to connect to OpenSearch at {self.store.url}", **level}
        body = {"name": SERVER_NAME, "uuid": self.uuid,
                "version": {"number": VERSION, "build_snapshot": False},
                "status": {"overall": {"since": self.since, **level}, "statuses": [opensearch]}}
        return Reply(200 if healthy else 503, body)

    def _config(self) -> dict[str, Any]:
        try:
            return self.store.get("config", VERSION)["attributes"]
        except ApiError as error:
            if error.status == 404:
                return {}
            raise

    @staticmethod
    def _user_provided(attributes: dict[str, Any]) -> dict[str, Any]:
        return {"settings": {k: {"userValue": v} for k, v in attributes.items() if v is not None}}

    def get_settings(self, request: Request) -> Reply:
        return Reply(200, self._user_provided(self._config()))

    def set_settings(self, request: Request) -> Reply:
        changes = request.json().get("changes")
        if not isinstance(changes, dict):
            raise ApiError(400, "[request body.changes]: expected value of type [object] but got [undefined]")
        attributes = {k: v for k, v in {**self._config(), **changes}.items() if v is not None}
        self.store.create({"type": "config", "id": VERSION, "attributes": attributes}, overwrite=True)
        return Reply(200, self._user_provided(attributes))

    # -- import and export --------------------------------------------------------------------
    def import_(self, request: Request) -> Reply:
        overwrite, new_copies = _flag(request.query, "overwrite"), _flag(request.query, "createNewCopies")
        if overwrite and new_copies:
            raise ApiError(400, "[request query]: cannot use [overwrite] with [createNewCopies]")
        filename, content = request.file_part()
        extension = os.path.splitext(filename)[1].lower()
        if extension != ".ndjson":
            raise ApiError(400, f"Invalid file extension {extension}")
        objects = parse_ndjson(content.decode("utf-8"))
        return Reply(200, import_objects(self.store, objects, overwrite=overwrite, create_new_copies=new_copies))

    def export(self, request: Request) -> Reply:
        text = export_objects(self.store, request.json())
        return Reply(200, text.encode(), "application/ndjson",
                     {"Content-Disposition": 'attachment; filename="export.ndjson"'})

    # -- find and get -------------------------------------------------------------------------
    def find(self, request: Request) -> Reply:
        q = request.query
        if not q.get("type"):
            raise ApiError(400, "[request query.type]: expected at least one defined value but got [undefined]")
        operator = q.get("default_search_operator", ["OR"])[-1]
        if operator not in ("OR", "AND"):
            raise ApiError(400, "[request query.default_search_operator]: types that failed validation")
        reference = None
        if "has_reference" in q:
            try:
                reference = json.loads(q["has_reference"][-1])
            except ValueError as exc:
                raise ApiError(400, "[request query.has_reference]: could not parse object value "
                                    "from json input") from exc
        found = self.store.find(
            q["type"], search=q.get("search", [None])[-1], search_fields=q.get("search_fields"),
            default_operator=operator, page=_number(q, "page", 1), per_page=_number(q, "per_page", 20),
            sort_field=q.get("sort_field", [None])[-1], has_reference=reference, fields=q.get("fields"))
        return Reply(200, found)

    def bulk_get(self, request: Request) -> Reply:
        wanted = request.json()
        if not isinstance(wanted, list) or not all(isinstance(w, dict) and {"type", "id"} <= w.keys()
                                                  for w in wanted):
            raise ApiError(400, "[request body]: expected value of type [array] of {type, id}")
        return Reply(200, {"saved_objects": self.store.bulk_get(wanted)})

    def get(self, request: Request, type_: str, id_: str) -> Reply:
        return Reply(200, self.store.get(type_, id_))

    # -- create, update, delete ---------------------------------------------------------------
    def create(self, request: Request, type_: str, id_: str | None = None) -> Reply:
        body = request.json()
        if not isinstance(body, dict) or not isinstance(body.get("attributes"), dict):
            raise ApiError(400, "[request body.attributes]: expected value of type [object] but got [undefined]")
        obj = {"type": type_, "id": id_ or generate_id(), "attributes": body["attributes"],
               "references": body.get("references") or [], "migrationVersion": body.get("migrationVersion")}
        return Reply(200, self.store.create(obj, overwrite=_flag(request.query, "overwrite") and id_ is not None))

    def update(self, request: Request, type_: str, id_: str) -> Reply:
        body = request.json()
        if not isinstance(body, dict) or not isinstance(body.get("attributes"), dict):
            raise ApiError(400, "[request body.attributes]: expected value of type [object] but got [undefined]")
        return Reply(200, self.store.update(type_, id_, body["attributes"], body.get("references"),
                                            body.get("version")))

    def delete(self, request: Request, type_: str, id_: str) -> Reply:
        self.store.delete(type_, id_)
        return Reply(200, {})


class Request:
    """What a route reads of a request: query, headers, body (JSON or multipart)."""

    def __init__(self, method: str, path: str, query: dict[str, list[str]], headers: Any, body: bytes) -> None:
        self.method, self.path, self.query, self.headers, self.body = method, path, query, headers, body

    def json(self) -> Any:
        if not self.body:
            return None
        try:
            return json.loads(self.body)
        except ValueError as exc:
            raise ApiError(400, "Invalid request payload JSON format") from exc

    def file_part(self) -> tuple[str, bytes]:
        """The multipart upload's `file` field: its file name and content."""
        content_type = self.headers.get("Content-Type", "")
        if not content_type.lower().startswith("multipart/form-data"):
            raise ApiError(415, "Unsupported Media Type")
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + self.body)
        for part in message.iter_parts() if message.is_multipart() else []:
            if part.get_param("name", header="content-disposition") == "file":
                return part.get_filename() or "", part.get_payload(decode=True) or b""
        raise ApiError(400, "[request body.file]: expected value of type [Stream] but got [undefined]")


class Handler(BaseHTTPRequestHandler):
    """One HTTP exchange: route, the xsrf and version rules, the answer."""

    protocol_version = "HTTP/1.1"
    server: DashboardsServer

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s %s", self.address_string(), format % args)

    def _exchange(self) -> None:
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        try:
            limit = MAX_IMPORT_BYTES if url.path == "/api/saved_objects/_import" else MAX_JSON_BYTES
            if length > limit:
                self.rfile.read(length)
                raise ApiError(413, f"Payload content length greater than maximum allowed: {limit}")
            body = self.rfile.read(length) if length else b""
            found = self.server.api.route(self.command, url.path.rstrip("/") or "/")
            if found is None:
                raise ApiError(404, "Not Found")
            handler, params = found
            self._check_headers()
            request = Request(self.command, url.path, parse_qs(url.query, keep_blank_values=True),
                              self.headers, body)
            reply = handler(request, **params)
        except ApiError as error:
            if error.status >= 500:
                log.warning("%s %s: %s", self.command, self.path, error.message)
            reply = Reply(error.status, error.body())
        except Exception:  # an answer for the client; the traceback for the log
            log.exception("%s %s failed", self.command, self.path)
            reply = Reply(500, ApiError(500, "An internal server error occurred.").body())
        self._send(reply)

    def _check_headers(self) -> None:
        if self.command not in ("GET", "HEAD", "OPTIONS") and XSRF_HEADER not in self.headers \
                and VERSION_HEADER not in self.headers:
            raise ApiError(400, f"Request must contain a {XSRF_HEADER} header.")
        got = self.headers.get(VERSION_HEADER)
        if got and got != VERSION:
            raise ApiError(400, "Browser client is out of date, please refresh the page "
                                f'("{VERSION_HEADER}" header was "{got}" but should be "{VERSION}")',
                           attributes={"expected": VERSION, "got": got})

    def _send(self, reply: Reply) -> None:
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.send_header("osd-name", SERVER_NAME)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(reply.body)

    do_GET = do_POST = do_PUT = do_DELETE = _exchange


class DashboardsServer(ThreadingHTTPServer):
    """The threading HTTP server with the routes attached."""

    daemon_threads = True

    def __init__(self, bind: str, port: int, opensearch_url: str) -> None:
        self.api = DashboardsApi(SavedObjectsStore(opensearch_url))
        super().__init__((bind, port), Handler)


def make_server(bind: str, port: int, opensearch_url: str) -> DashboardsServer:
    """A server bound to ``bind:port`` (not yet serving: call ``serve_forever``)."""
    return DashboardsServer(bind, port, opensearch_url)
