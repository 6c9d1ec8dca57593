"""The lab Firehose's own settings, read once from LocalStack's environment and validated.

  LAB_FIREHOSE_MAX_BUFFER_MB       buffered bytes per stream before puts are refused
                                   (ServiceUnavailableException, as AWS throttles); default 512
  LAB_FIREHOSE_LAMBDA_CONCURRENCY  parallel Lambda invocations per batch; default 3
  LAB_FIREHOSE_ACTIVE_PARTITIONS   active partitions per stream with dynamic partitioning; default
                                   500 (AWS's quota, which AWS raises to 5,000 on request)
  LAB_FIREHOSE_BUFFER_TIME_SCALE   the lab waits IntervalInSeconds x this (default 1); AWS's
                                   limits still apply to the API values (e.g. at least 60 s with
                                   dynamic partitioning), so a demo or a test can scale time down
  LAB_OPENSEARCH_ENDPOINTS         JSON {"<domain-name>": "http://host:port"}: where a DomainARN's
                                   domain answers (LocalStack runs no OpenSearch of its own here)
  LAB_OPENSEARCH_ENDPOINT          one endpoint for every DomainARN (fallback)

A bad value stops the provider at start-up with a message that names the variable.
"""
from __future__ import annotations

import functools
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field

MIB = 1024 * 1024


class FirehoseConfigError(ValueError):
    """A LAB_FIREHOSE_* / LAB_OPENSEARCH_* variable has a value the provider cannot use."""


@dataclass(frozen=True)
class FirehoseEnvironment:
    max_buffered_bytes: int = 512 * MIB
    lambda_concurrency: int = 3
    active_partitions: int = 500
    buffer_time_scale: float = 1.0
    opensearch_endpoints: dict[str, str] = field(default_factory=dict)
    opensearch_endpoint: str | None = None


def _positive(env: Mapping[str, str], key: str, default: float, kind=float) -> float:
    raw = env.get(key)
    if raw is None or raw == "":
        return default
    try:
        value = kind(raw)
    except ValueError:
        raise FirehoseConfigError(f"{key}={raw!r} is not a number") from None
    if value <= 0:
        raise FirehoseConfigError(f"{key}={raw!r} must be greater than 0")
    return value


def _endpoints(env: Mapping[str, str]) -> dict[str, str]:
    raw = env.get("LAB_OPENSEARCH_ENDPOINTS")
    if not raw:
        return {}
    try:
        mapping = json.loads(raw)
    except ValueError:
        mapping = None
    if not isinstance(mapping, dict) or not all(isinstance(v, str) for v in mapping.values()):
        raise FirehoseConfigError(
            f'LAB_OPENSEARCH_ENDPOINTS={raw!r} must be a JSON object {{"<domain-name>": "http://host:port"}}')
    return {domain: url.rstrip("/") for domain, url in mapping.items()}


def load(env: Mapping[str, str]) -> FirehoseEnvironment:
    single = env.get("LAB_OPENSEARCH_ENDPOINT") or None
    return FirehoseEnvironment(
        max_buffered_bytes=int(_positive(env, "LAB_FIREHOSE_MAX_BUFFER_MB", 512) * MIB),
        lambda_concurrency=int(_positive(env, "LAB_FIREHOSE_LAMBDA_CONCURRENCY", 3, int)),
        active_partitions=int(_positive(env, "LAB_FIREHOSE_ACTIVE_PARTITIONS", 500, int)),
        buffer_time_scale=_positive(env, "LAB_FIREHOSE_BUFFER_TIME_SCALE", 1.0),
        opensearch_endpoints=_endpoints(env),
        opensearch_endpoint=single.rstrip("/") if single else None,
    )


@functools.cache
def current() -> FirehoseEnvironment:
    """The settings of this LocalStack process (read on first use: the provider's start)."""
    return load(os.environ)
