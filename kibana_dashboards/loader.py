"""Loading the lab's dashboards: the index template into OpenSearch, the saved
objects into OpenSearch Dashboards (Saved Objects import API), idempotently.

Both servers may still be starting when this runs (``make up``), so every call
is retried with exponential backoff until ``wait`` seconds have passed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import requests
from opensearchpy import OpenSearch
from opensearchpy.exceptions import ConnectionError as OpenSearchConnectionError
from opensearchpy.exceptions import TransportError
from tenacity import Retrying, retry_if_exception, stop_after_delay, wait_exponential, wait_random

from . import INDEX_PATTERN_ID
from .saved_objects import to_ndjson
from .template import put_template

log = logging.getLogger(__name__)

XSRF_HEADER = {"osd-xsrf": "true"}


class ImportFailed(RuntimeError):
    """Dashboards answered the import, but did not import every object."""


class NotReady(RuntimeError):
    """Dashboards answered, but is not ready yet (503 while it starts, or another 5xx)."""


@dataclass
class ImportResult:
    """What the Saved Objects import API reported."""

    success_count: int
    errors: list[dict[str, Any]]


def _retrying(wait: float, what: str) -> Retrying:
    def log_retry(state: Any) -> None:
        exc = state.outcome.exception() if state.outcome else None
        log.info("%s not ready (%s); retrying, attempt %d", what, exc, state.attempt_number)

    return Retrying(
        stop=stop_after_delay(wait),
        wait=wait_exponential(multiplier=0.5, max=5) + wait_random(0, 0.5),
        retry=retry_if_exception(lambda e: isinstance(
            e, (requests.ConnectionError, requests.Timeout, NotReady,
                OpenSearchConnectionError))),
        before_sleep=log_retry,
        reraise=True,
    )


def put_index_template(opensearch_url: str, wait: float = 120.0) -> str:
    """Put the ``apache*`` index template; returns ``"composable"`` or ``"legacy"``."""
    client = OpenSearch(hosts=[opensearch_url], timeout=30)

    def attempt() -> str:
        try:
            return put_template(client)
        except TransportError as exc:
            if exc.status_code in (502, 503, 504):
                raise NotReady(str(exc)) from exc
            raise

    return _retrying(wait, f"OpenSearch {opensearch_url}")(attempt)


def _post(url: str, **kwargs: Any) -> requests.Response:
    response = requests.post(url, headers=XSRF_HEADER, timeout=60, **kwargs)
    if response.status_code >= 500:
        raise NotReady(f"{response.status_code} {response.text[:200]}")
    return response


def import_objects(dashboards_url: str, objects: list[dict[str, Any]],
                   wait: float = 300.0) -> ImportResult:
    """Import saved objects with ``overwrite=true`` (so a second load changes nothing)."""
    url = dashboards_url.rstrip("/") + "/api/saved_objects/_import"
    body = to_ndjson(objects).encode("utf-8")

    def attempt() -> requests.Response:
        files = {"file": ("clickstream-lab.ndjson", body, "application/ndjson")}
        return _post(url, params={"overwrite": "true"}, files=files)

    response = _retrying(wait, f"Dashboards {dashboards_url}")(attempt)
    if response.status_code != 200:
        raise ImportFailed(f"import refused: {response.status_code} {response.text[:500]}")
    answer = response.json()
    result = ImportResult(answer.get("successCount", 0), answer.get("errors", []))
    if not answer.get("success", False):
        details = "; ".join(f"{e.get('type')} {e.get('id')}: {e.get('error')}"
                            for e in result.errors)
        raise ImportFailed(f"{len(result.errors)} object(s) not imported: {details}")
    log.info("imported %d saved objects into %s", result.success_count, dashboards_url)
    return result


def set_default_index_pattern(dashboards_url: str, pattern_id: str = INDEX_PATTERN_ID,
                              wait: float = 60.0) -> None:
    """Make the lab's index pattern the default one (Discover opens on it)."""
    url = dashboards_url.rstrip("/") + "/api/opensearch-dashboards/settings"
    response = _retrying(wait, f"Dashboards {dashboards_url}")(
        lambda: _post(url, json={"changes": {"defaultIndex": pattern_id}}))
    response.raise_for_status()
    log.info("default index pattern set to %s", pattern_id)
