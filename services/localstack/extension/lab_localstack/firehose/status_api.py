"""Per-stream counters over HTTP on LocalStack's gateway (for `make status`).

GET /_lab/firehose/streams          -> {"streams": [<status>, ...]}
GET /_lab/firehose/streams/<name>   -> <status> (404 if unknown); ?account=&region= to disambiguate
A status holds the stream's settings summary and its counters: received,
delivered, dropped, processing_failed, delivery_failed, backed_up,
buffered_records, buffered_bytes and more (see counters.py).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable

from localstack.http import Request, Response
from localstack.services.edge import ROUTER

STREAMS_PATH = "/_lab/firehose/streams"


class FirehoseStatusRoutes:
    """Registers and serves the status routes; `streams` lists the live DeliveryStream objects."""

    def __init__(self, streams: Callable[[], Iterable]):
        self._streams = streams
        self._rules = []

    def register(self) -> None:
        self._rules = [
            ROUTER.add(STREAMS_PATH, endpoint=self.list_streams, methods=["GET"]),
            ROUTER.add(f"{STREAMS_PATH}/<name>", endpoint=self.get_stream, methods=["GET"]),
        ]

    def unregister(self) -> None:
        for rule in self._rules:
            ROUTER.remove(rule)
        self._rules = []

    def list_streams(self, request: Request, **_kwargs) -> Response:
        streams = sorted(self._streams(), key=lambda s: (s.account_id, s.region, s.name))
        return Response.for_json({"streams": [s.status() for s in streams]})

    def get_stream(self, request: Request, name: str, **_kwargs) -> Response:
        account = request.args.get("account")
        region = request.args.get("region")
        for stream in self._streams():
            if stream.name == name and account in (None, stream.account_id) and region in (None, stream.region):
                return Response.for_json(stream.status())
        return Response.for_json({"error": f"no delivery stream named {name}"}, status=404)
