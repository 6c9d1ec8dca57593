"""The domains of the `opensearch` and `es` APIs: one store for both (AWS shows a domain made
through either API to both), kept on disk under `lab-opensearch/domains.json`.

A domain is the lab's own OpenSearch: its Endpoint is host:port of LAB_OPENSEARCH_URL
(default http://127.0.0.1:9200; LAB_OPENSEARCH_DOMAIN_ENDPOINT when the attendee's address differs). Like AWS, a new domain is `Processing` (no Endpoint) for a
while and then active; the lab's while is LAB_OPENSEARCH_DOMAIN_CREATE_SECONDS (default 10;
AWS takes 10-20 minutes). The Firehose provider resolves a DomainARN through
`search_url_for_arn`.
"""
from __future__ import annotations

import json
import logging
import os
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from lab_localstack.state_files import state_dir, write_atomic

LOG = logging.getLogger(__name__)

DEFAULT_SEARCH_URL = "http://127.0.0.1:9200"
DEFAULT_CREATE_SECONDS = 10.0
OPENSEARCH_DEFAULT_VERSION = "OpenSearch_2.19"   # AWS: "the latest version of OpenSearch"
ES_DEFAULT_VERSION = "1.5"                       # the es API's documented default


class DomainSettingsError(ValueError):
    """A LAB_OPENSEARCH_* variable the provider cannot use (the message names it)."""


def search_url() -> str:
    """The lab's OpenSearch, the one cluster behind every domain."""
    url = (os.environ.get("LAB_OPENSEARCH_URL") or DEFAULT_SEARCH_URL).rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise DomainSettingsError(f"LAB_OPENSEARCH_URL={url!r} is not an http(s)://host:port URL")
    return url


def endpoint_host() -> str:
    """host:port of the lab's OpenSearch: a domain's `Endpoint` (AWS's has no scheme either).
    LAB_OPENSEARCH_DOMAIN_ENDPOINT overrides it where LocalStack and the attendee reach the
    cluster at different addresses (compose: `opensearch:9200` inside, 127.0.0.1 outside)."""
    if shown := os.environ.get("LAB_OPENSEARCH_DOMAIN_ENDPOINT"):
        return shown
    parts = urlsplit(search_url())
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return f"{parts.hostname}:{port}"


def create_seconds() -> float:
    raw = os.environ.get("LAB_OPENSEARCH_DOMAIN_CREATE_SECONDS", "")
    if raw == "":
        return DEFAULT_CREATE_SECONDS
    try:
        value = float(raw)
    except ValueError:
        raise DomainSettingsError(f"LAB_OPENSEARCH_DOMAIN_CREATE_SECONDS={raw!r} is not a number") from None
    if value < 0:
        raise DomainSettingsError(f"LAB_OPENSEARCH_DOMAIN_CREATE_SECONDS={raw!r} must be 0 or more")
    return value


def arn(account: str, region: str, name: str) -> str:
    return f"arn:aws:es:{region}:{account}:domain/{name}"


@dataclass
class Domain:
    """One domain as created; everything else in its description is derived."""

    name: str
    account: str
    region: str
    engine_version: str                 # "OpenSearch_2.19" or "Elasticsearch_7.10"
    created_at: float
    ready_at: float
    options: dict = field(default_factory=dict)   # what the request gave (ClusterConfig, EBSOptions, ...)
    tags: list = field(default_factory=list)

    @property
    def arn(self) -> str:
        return arn(self.account, self.region, self.name)

    @property
    def domain_id(self) -> str:
        return f"{self.account}/{self.name}"

    @property
    def engine_type(self) -> str:
        return "Elasticsearch" if self.engine_version.startswith("Elasticsearch_") else "OpenSearch"

    def processing(self, now: float | None = None) -> bool:
        return (time.time() if now is None else now) < self.ready_at


class DomainStore:
    """Domains by (account, region, name), saved whole after every change."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.lock = threading.RLock()
        self.domains: dict[tuple[str, str, str], Domain] = {}
        if path is not None and path.exists():
            for item in json.loads(path.read_text()):
                domain = Domain(**item)
                self.domains[(domain.account, domain.region, domain.name)] = domain
            LOG.info("lab OpenSearch: %d domain(s) restored from %s", len(self.domains), path)

    def get(self, account: str, region: str, name: str) -> Domain | None:
        return self.domains.get((account, region, name))

    def in_region(self, account: str, region: str) -> list[Domain]:
        return [d for (a, r, _), d in sorted(self.domains.items()) if (a, r) == (account, region)]

    def put(self, domain: Domain) -> None:
        self.domains[(domain.account, domain.region, domain.name)] = domain
        self.save()

    def remove(self, domain: Domain) -> None:
        self.domains.pop((domain.account, domain.region, domain.name), None)
        self.save()

    def by_arn(self, domain_arn: str) -> Domain | None:
        parts = domain_arn.split(":", 5)
        if len(parts) != 6 or parts[2] != "es" or not parts[5].startswith("domain/"):
            return None
        return self.get(parts[4], parts[3], parts[5][len("domain/"):])

    def save(self) -> None:
        if self.path is not None:
            write_atomic(self.path, json.dumps([asdict(d) for d in self.domains.values()], indent=1))


_store: DomainStore | None = None
_store_lock = threading.Lock()


def store() -> DomainStore:
    """The process's store, read from disk on first use (by either API or by Firehose)."""
    global _store
    with _store_lock:
        if _store is None:
            _store = DomainStore(state_dir("opensearch") / "domains.json")
        return _store


def search_url_for_arn(domain_arn: str) -> str | None:
    """The URL Firehose delivers to for a domain made through the lab's API, else None."""
    domain = store().by_arn(domain_arn)
    return search_url() if domain is not None else None
