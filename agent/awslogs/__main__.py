"""Command line: `python -m agent.awslogs --config awslogs.conf --endpoint-url URL
[--stats-file PATH] [--allow-aws] [--check]`.

Exit codes: 0 stopped by SIGTERM/SIGINT (after flushing), 2 invalid
configuration or refused start (an amazonaws.com endpoint without --allow-aws),
1 unexpected error.
"""
from __future__ import annotations

import argparse
import logging
import sqlite3
import sys
from pathlib import Path
from urllib.parse import urlsplit

import boto3
from botocore.credentials import Credentials

from agent.aws import endpoint_url, is_loopback, is_real_aws
from agent.awslogs.config import ConfigError, load_config
from agent.awslogs.logs_api import LogStreamClient, make_client
from agent.awslogs.runner import AwsLogsAgent
from agent.awslogs.stream import LogStreamFlow
from agent.checkpoints import CheckpointStore

LOG = logging.getLogger("agent.awslogs")

STATS_PERIOD_S = 1.0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m agent.awslogs", description=(
        "Tail log files and ship them to CloudWatch Logs (PutLogEvents), configured like "
        "the CloudWatch Logs agent (awslogs.conf)."))
    p.add_argument("--config", required=True, help="the awslogs.conf file")
    p.add_argument("--endpoint-url", required=True, help="the CloudWatch Logs endpoint (LocalStack)")
    p.add_argument("--stats-file", type=Path, help="JSON statistics, rewritten about every second")
    p.add_argument("--allow-aws", action="store_true", help="allow an amazonaws.com endpoint")
    p.add_argument("--check", action="store_true", help="validate the configuration and exit")
    return p.parse_args(argv)


def credentials_for(url: str) -> Credentials:
    creds = boto3.session.Session().get_credentials()
    if creds is not None:
        return creds.get_frozen_credentials()
    if is_loopback(urlsplit(url).hostname or ""):
        LOG.info("no AWS credentials found; using dummy ones for the local endpoint %s", url)
        return Credentials("test", "test")
    raise ConfigError("--endpoint-url: no AWS credentials found for a non-local endpoint")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    url = endpoint_url(args.endpoint_url)
    try:
        if is_real_aws(url) and not args.allow_aws:
            raise ConfigError(f"--endpoint-url: {url} is real AWS; pass --allow-aws if that is "
                              f"really intended")
        cfg = load_config(args.config)
        if args.check:
            LOG.info("configuration %s is valid (%d log section(s))", args.config, len(cfg.sections))
            return 0
        creds = credentials_for(url)
    except ConfigError as exc:
        LOG.error("invalid configuration: %s", exc)
        return 2
    try:
        store = CheckpointStore(cfg.state_file)
    except (sqlite3.Error, OSError) as exc:
        LOG.error("invalid configuration: [general] state_file: cannot open %s: %s",
                  cfg.state_file, exc)
        return 2
    clients = {region: make_client(url, region, creds)
               for region in {s.region for s in cfg.sections}}
    flows = []
    for s in cfg.sections:
        LOG.info("[%s] %s -> log group %s, stream %s (%s, region %s)", s.name, s.file,
                 s.log_group_name, s.log_stream_name, url, s.region)
        api = LogStreamClient(clients[s.region], s.log_group_name, s.log_stream_name)
        flows.append(LogStreamFlow(s, api, store))
    agent = AwsLogsAgent(flows, store, status_period_s=STATS_PERIOD_S,
                         stats_file=args.stats_file, config_file=str(args.config))
    return agent.run_until_signalled()


if __name__ == "__main__":
    sys.exit(main())
