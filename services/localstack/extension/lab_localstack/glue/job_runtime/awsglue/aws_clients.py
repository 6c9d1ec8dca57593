"""boto3 clients of the job's process, one per service: they reach the lab's endpoint
(AWS_ENDPOINT_URL, set by the provider), never AWS."""
from __future__ import annotations

from functools import cache

import boto3


@cache
def client(service: str):
    return boto3.client(service)
