"""Command line: `python -m agent --config agent.json [--stats-file PATH] [--allow-aws]`.

Exit codes: 0 stopped by SIGTERM/SIGINT (after flushing), 2 invalid
configuration or refused to start (e.g. no endpoint without --allow-aws),
1 unexpected error.
"""
from __future__ import annotations

import argparse
import logging
import sqlite3
import sys
from pathlib import Path

from agent.aws import check_safety, make_client
from agent.checkpoints import CheckpointStore
from agent.config import ConfigError, load_config
from agent.flow import Flow
from agent.runner import Agent

LOG = logging.getLogger("agent")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m agent", description=(
        "Tail log files and ship them to Kinesis Data Firehose / Kinesis Data Streams, "
        "configured like the Amazon Kinesis Agent (agent.json)."))
    p.add_argument("--config", required=True, help="the agent.json file")
    p.add_argument("--stats-file", type=Path, help="JSON statistics, rewritten every period")
    p.add_argument("--allow-aws", action="store_true",
                   help="allow sending to real AWS (no endpoint, or an amazonaws.com one)")
    p.add_argument("--check", action="store_true", help="validate the configuration and exit")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        cfg = load_config(args.config)
        logging.getLogger().setLevel(cfg.log_level)
        check_safety(cfg, args.allow_aws)
        if args.check:
            LOG.info("configuration %s is valid (%d flow(s))", args.config, len(cfg.flows))
            return 0
        clients = {s: make_client(s, cfg) for s in {f.destination_type for f in cfg.flows}}
    except ConfigError as exc:
        LOG.error("invalid configuration: %s", exc)
        return 2
    try:
        store = CheckpointStore(cfg.checkpoint_file)
    except (sqlite3.Error, OSError) as exc:
        LOG.error("checkpointFile: cannot open %s: %s", cfg.checkpoint_file, exc)
        return 2
    pruned = store.prune(cfg.checkpoint_ttl_days)
    if pruned:
        LOG.info("forgot %d checkpoint(s) older than %d days", pruned, cfg.checkpoint_ttl_days)
    flows = [Flow(f, clients[f.destination_type], store) for f in cfg.flows]
    agent = Agent(flows, store, status_period_s=cfg.status_period_s,
                  stats_file=args.stats_file, config_file=str(args.config))
    return agent.run_until_signalled()


if __name__ == "__main__":
    sys.exit(main())
