"""The one place labctl builds its boto3 clients for the lab's LocalStack.

Every client gets the lab's region, LocalStack's test credentials and one retry policy:
botocore's `standard` mode with 5 attempts in all. Why that policy:
- `standard` is the mode AWS recommends (the AWS CLI v2's default). boto3's own default,
  `legacy`, retries connection errors and a short list of throttling codes only; `standard`
  also retries transient answers (HTTP 500/502/503/504, RequestTimeout, TooManyRequests...)
  with back-off capped at 20 s, under a retry quota (boto3's guide, "Retries").
- 5 attempts (4 retries, jittered exponential back-off, under ~15 s in all) is what
  provisioning used before this module and covers a LocalStack that is still starting;
  more would only make `make status` slow to say that something is down.
- not `adaptive`: its client-side rate limiting is for one client sharing a throttled
  service for a long time (AWS calls it experimental); labctl makes short bursts of calls.
"""
from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import boto3
import requests
from botocore.config import Config

from labctl import settings as lab
from labctl.errors import LabError

RETRIES = Config(retries={"mode": "standard", "max_attempts": 5})
# LocalStack accepts any key; these are its documented test credentials, never real ones.
TEST_CREDENTIALS = {"aws_access_key_id": "test", "aws_secret_access_key": "test"}


def client(service: str, endpoint_url: str) -> Any:
    """A boto3 client of `service` for the LocalStack at `endpoint_url`."""
    return boto3.client(service, endpoint_url=endpoint_url, region_name=lab.REGION,
                        config=RETRIES, **TEST_CREDENTIALS)


def clients_for(endpoint_url: str) -> Callable[[str], Any]:
    """`clients_for(url)(service)`: the client factory for one LocalStack."""
    return partial(client, endpoint_url=endpoint_url)


def connect(endpoint_url: str) -> Callable[[str], Any]:
    """The client factory for a LocalStack that answers now; a LabError saying to start the
    lab otherwise (rather than botocore's connection error after its retries)."""
    try:
        requests.get(f"{endpoint_url}/_localstack/health", timeout=5).raise_for_status()
    except requests.RequestException as error:
        raise LabError(f"LocalStack does not answer at {endpoint_url} ({type(error).__name__}): "
                       "start the lab with `make up`, then see `make status`") from error
    return clients_for(endpoint_url)
