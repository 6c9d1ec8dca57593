"""Delivery to OpenSearch / Elasticsearch through the _bulk API.

One bulk request per batch (split at BULK_MAX_DOCUMENTS). Failed documents (the
whole request failing, or per-item errors) are retried with backoff until
RetryDuration has elapsed since the first failure (0 = no retry); the ones still
failing are returned so the caller writes them to `AmazonOpenSearchService-failed/`
(or `elasticsearch-failed/`). Document ids are Firehose's (one per record, the
same on every retry and after a restart), so a retry never duplicates a document.

The endpoint is ClusterEndpoint. A stream configured with only a DomainARN is
resolved through LAB_OPENSEARCH_ENDPOINTS='{"<domain-name>": "http://host:port"}',
then a domain made through the lab's `opensearch`/`es` API (lab_localstack/opensearch/:
the lab's OpenSearch), then LAB_OPENSEARCH_ENDPOINT='http://host:port' (LocalStack's env).
"""
from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import requests

from lab_localstack.firehose import environment, index_rotation
from lab_localstack.firehose.clock import now_ms
from lab_localstack.firehose.error_records import DeliveryFailure
from lab_localstack.firehose.journal import JournalRecord
from lab_localstack.firehose.s3_writer import DeliveryStopped
from lab_localstack.firehose.stream_settings import SearchTarget
from lab_localstack.opensearch.models import search_url_for_arn

LOG = logging.getLogger(__name__)

BULK_MAX_DOCUMENTS = 5000
_BACKOFF_START_S = 0.5
_BACKOFF_MAX_S = 5.0
_RETRIABLE_STATUS = {429, 500, 502, 503, 504}


@dataclass
class Document:
    """A transformed record on its way to an index."""

    record: JournalRecord
    body: bytes
    index: str
    document_id: str | None


def resolve_endpoint(target: SearchTarget) -> str | None:
    if target.cluster_endpoint:
        return target.cluster_endpoint.rstrip("/")
    domain = (target.domain_arn or "").rsplit("/", 1)[-1]
    env = environment.current()
    return (env.opensearch_endpoints.get(domain) or search_url_for_arn(target.domain_arn or "")
            or env.opensearch_endpoint)


_ENDPOINT_ACCEPTS_TYPES: dict[str, bool] = {}


def accepts_types(session: requests.Session, endpoint: str) -> bool:
    """True for Elasticsearch 6 and older, where bulk actions carry `_type`.

    OpenSearch and Elasticsearch 7+ have one type per index and refuse `_type`,
    so a TypeName (the workshop's `clickstream`, written for ES 6.3) is then
    only reported in failed-document records, not sent.
    """
    if endpoint not in _ENDPOINT_ACCEPTS_TYPES:
        try:
            version = session.get(endpoint, timeout=5).json().get("version", {})
            major = int(str(version.get("number", "7")).split(".")[0])
            _ENDPOINT_ACCEPTS_TYPES[endpoint] = version.get("distribution") != "opensearch" and major < 7
        except (requests.RequestException, ValueError, AttributeError):
            return False  # unknown yet (server down): do not cache, send without a type
    return _ENDPOINT_ACCEPTS_TYPES[endpoint]


def documents_for(target: SearchTarget, records: list[JournalRecord], bodies: list[bytes]) -> list[Document]:
    return [
        Document(
            record=record,
            body=body,
            index=index_rotation.index_name(target.index_name, target.rotation, record.arrival_ms),
            document_id=record.record_id if target.generate_document_ids else None,
        )
        for record, body in zip(records, bodies)
    ]


class SearchDelivery:
    """Bulk-indexes one stream's documents with AWS's retry behaviour."""

    def __init__(self, target: SearchTarget, stop: threading.Event,
                 on_retry: Callable[[str], None] = lambda reason: None):
        self.target = target
        self._stop = stop
        self._on_retry = on_retry
        self._session = requests.Session()
        self.bulk_requests = 0

    def deliver(self, documents: list[Document]) -> list[tuple[Document, DeliveryFailure]]:
        """Index the documents; return those that failed for good, with why."""
        failed: list[tuple[Document, DeliveryFailure]] = []
        lines: dict[int, bytes] = {}
        for position, document in enumerate(documents):
            try:
                lines[position] = json.dumps(json.loads(document.body), separators=(",", ":")).encode()
            except ValueError as error:
                failed.append((document, self._failure(document, "400", f"mapper_parsing_exception: {error}", 1)))
        pending = [p for p in range(len(documents)) if p in lines]
        attempts = 0
        first_failure: float | None = None
        last_error: dict[int, tuple[str, str]] = {}
        delay = _BACKOFF_START_S
        while pending:
            attempts += 1
            errors: dict[int, tuple[str, str]] = {}
            for start in range(0, len(pending), BULK_MAX_DOCUMENTS):
                chunk = pending[start:start + BULK_MAX_DOCUMENTS]
                errors.update(self._bulk(chunk, documents, lines))
            pending = [p for p in pending if p in errors]
            last_error = errors
            if not pending:
                break
            if first_failure is None:
                first_failure = time.monotonic()
            remaining = self.target.retry_duration_s - (time.monotonic() - first_failure)
            if remaining <= 0:
                break
            code, message = next(iter(errors.values()))
            self._on_retry(f"{len(pending)} documents not indexed: {code} {message[:200]}")
            LOG.warning("%d of %d documents not indexed (%s); retrying for %.0fs more",
                        len(pending), len(documents), next(iter(errors.values()))[0], remaining)
            if self._stop.wait(min(delay, remaining)):
                raise DeliveryStopped("stopped while retrying the bulk request")
            delay = min(delay * 2, _BACKOFF_MAX_S)
        for position in pending:
            code, message = last_error[position]
            failed.append((documents[position], self._failure(documents[position], code, message, attempts)))
        return failed

    def _failure(self, document: Document, code: str, message: str, attempts: int) -> DeliveryFailure:
        return DeliveryFailure(code, message, attempts, now_ms(), document.document_id or "",
                               document.index, self.target.type_name)

    def _bulk(self, chunk: list[int], documents: list[Document], lines: dict[int, bytes]) -> dict[int, tuple[str, str]]:
        """One _bulk call; position -> (errorCode, errorMessage) for what did not index."""
        prefix = self.target.error_code_prefix
        endpoint = resolve_endpoint(self.target)
        if endpoint is None:
            message = (f"no endpoint for {self.target.domain_arn}: no such domain in the lab "
                       "(CreateDomain) and no LAB_OPENSEARCH_ENDPOINTS")
            return {p: (f"{prefix}.ResourceNotFound", message) for p in chunk}
        send_type = bool(self.target.type_name) and accepts_types(self._session, endpoint)
        body = bytearray()
        for position in chunk:
            document = documents[position]
            action: dict = {"_index": document.index}
            if document.document_id:
                action["_id"] = document.document_id
            if send_type:
                action["_type"] = self.target.type_name
            body += json.dumps({"index": action}).encode() + b"\n" + lines[position] + b"\n"
        self.bulk_requests += 1
        try:
            response = self._session.post(f"{endpoint}/_bulk", data=bytes(body), timeout=(5, 120),
                                          headers={"Content-Type": "application/x-ndjson"})
        except requests.RequestException as error:
            return {p: (f"{prefix}.ConnectionFailed", f"could not reach {endpoint}: {error}") for p in chunk}
        if response.status_code >= 300:
            message = response.text[:500]
            return {p: (str(response.status_code), message) for p in chunk}
        try:
            items = response.json()["items"]
        except (ValueError, KeyError) as error:
            return {p: (f"{prefix}.ServiceException", f"unreadable bulk response: {error}") for p in chunk}
        errors = {}
        for position, item in zip(chunk, items):
            result = next(iter(item.values()))
            status = int(result.get("status", 500))
            if status >= 300:
                errors[position] = (str(status), json.dumps(result.get("error", {})))
        return errors
