"""Clients for the configured endpoints, and the guard against real AWS.

Endpoint values may omit the scheme, as the Kinesis Agent's host names do
(`firehose.us-east-1.amazonaws.com`): https is assumed, except for loopback
hosts (http, as LocalStack serves). The region comes from the `<service>.region`
key, else the endpoint host name, else AWS_DEFAULT_REGION/AWS_REGION.
"""
from __future__ import annotations

import ipaddress
import logging
import os
import re
from urllib.parse import urlsplit

import boto3
from botocore.credentials import Credentials

from agent.api import StreamClient
from agent.config import AgentConfig, ConfigError

LOG = logging.getLogger(__name__)

_REGION_IN_HOST = re.compile(r"(?:^|\.)([a-z]{2}(?:-gov|-iso[a-z]*)?-[a-z]+-\d+)\.amazonaws\.com(?:\.cn)?$")
_AWS_HOST = re.compile(r"(?:^|\.)(?:amazonaws\.com(?:\.cn)?|api\.aws)$")


def endpoint_url(value: str) -> str:
    """`host[:port]` or a URL -> a URL with scheme."""
    if "://" in value:
        return value.rstrip("/")
    host = urlsplit("//" + value).hostname or ""
    scheme = "http" if is_loopback(host) else "https"
    return f"{scheme}://{value.rstrip('/')}"


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_real_aws(url: str) -> bool:
    return bool(_AWS_HOST.search(urlsplit(url).hostname or ""))


def check_safety(cfg: AgentConfig, allow_aws: bool) -> None:
    """Refuse (ConfigError) to talk to real AWS unless --allow-aws was given."""
    if allow_aws:
        return
    for service in sorted({f.destination_type for f in cfg.flows}):
        value = cfg.endpoints.get(service)
        if value is None:
            raise ConfigError(f"{service}.endpoint: not set, so the agent would send to real AWS; "
                              f"set it (e.g. http://127.0.0.1:4566) or pass --allow-aws")
        if is_real_aws(endpoint_url(value)):
            raise ConfigError(f"{service}.endpoint: {value} is real AWS; pass --allow-aws "
                              f"if that is really intended")


def region_for(service: str, cfg: AgentConfig) -> str:
    if service in cfg.regions:
        return cfg.regions[service]
    url = endpoint_url(cfg.endpoints[service]) if service in cfg.endpoints else None
    if url:
        match = _REGION_IN_HOST.search(urlsplit(url).hostname or "")
        if match:
            return match.group(1)
    region = os.environ.get("AWS_DEFAULT_REGION") or os.environ.get("AWS_REGION")
    if region:
        return region
    if url and is_loopback(urlsplit(url).hostname or ""):
        return "us-east-1"
    raise ConfigError(f"{service}.region: cannot tell the region from the endpoint; "
                      f"set {service}.region or AWS_DEFAULT_REGION")


def make_client(service: str, cfg: AgentConfig) -> StreamClient:
    """The client for one service, with credentials from the config or the usual chain."""
    url = endpoint_url(cfg.endpoints[service]) if service in cfg.endpoints else None
    region = region_for(service, cfg)
    session = boto3.session.Session(
        aws_access_key_id=cfg.aws_access_key_id,
        aws_secret_access_key=cfg.aws_secret_access_key,
        aws_session_token=cfg.aws_session_token,
        region_name=region,
    )
    credentials = session.get_credentials()
    if credentials is None:
        if url and is_loopback(urlsplit(url).hostname or ""):
            LOG.info("no AWS credentials found; using dummy ones for the local endpoint %s", url)
            credentials = Credentials("test", "test")
        else:
            raise ConfigError("awsAccessKeyId: no AWS credentials found (config keys, "
                              "environment, profile or instance role)")
    url = url or f"https://{service}.{region}.amazonaws.com"
    LOG.info("%s endpoint %s, region %s", service, url, region)
    return StreamClient(service, url, region, credentials,
                        cfg.connect_timeout_ms / 1000, cfg.socket_timeout_ms / 1000)
