"""Command line: `python -m kafka_connect --config <connector json> --bootstrap <host:port>
--aws-endpoint <LocalStack URL> --state-dir <dir> --stats-file <json>`.

`connector.class` picks the connector. A config the lab refuses, or a missing endpoint, ends
the process at once with `error: ...` naming the key (exit 2); SIGTERM/SIGINT stop it cleanly.
"""
from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from pathlib import Path
from urllib.parse import urlparse

from kafka_connect import config

log = logging.getLogger("kafka_connect")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m kafka_connect", description=__doc__.split("\n")[0])
    p.add_argument("--config", type=Path, required=True, help="connector config (Confluent's JSON shape)")
    p.add_argument("--bootstrap", required=True, help="Kafka bootstrap host:port")
    p.add_argument("--aws-endpoint", default="", help="LocalStack URL (required: never real AWS)")
    p.add_argument("--state-dir", type=Path, required=True, help="folder for the connector's state")
    p.add_argument("--stats-file", type=Path, help="JSON stats, rewritten about every second")
    p.add_argument("-v", "--verbose", action="store_true")
    return p.parse_args(argv)


def check_endpoint(url: str) -> str:
    parsed = urlparse(url)
    if not url or parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise config.ConfigError("--aws-endpoint", "the lab's LocalStack URL is required "
                                 "(the connectors never call real AWS)")
    if parsed.hostname.endswith("amazonaws.com") or parsed.hostname.endswith("amazonaws.com.cn"):
        raise config.ConfigError("--aws-endpoint", f"{url} is real AWS: give the lab's LocalStack URL")
    return url


def build(args: argparse.Namespace):
    raw = config.load(args.config)
    kind = config.kind(raw)
    endpoint = check_endpoint(args.aws_endpoint)
    for key, why in config.ignored_keys(raw, kind).items():
        log.info("config key %s accepted and not acted on: %s", key, why)
    for key in config.unknown_keys(raw, kind):
        log.warning("config key %s is unknown to the lab's %s connector and is ignored", key, kind)
    args.state_dir.mkdir(parents=True, exist_ok=True)
    if kind == "source":
        from kafka_connect.cloudwatch_source import CloudWatchSource

        return CloudWatchSource(config.source_config(raw), args.bootstrap, endpoint,
                                args.state_dir, args.stats_file)
    from kafka_connect.s3_sink import S3Sink

    return S3Sink(config.sink_config(raw), args.bootstrap, endpoint, args.stats_file)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("botocore").setLevel(logging.WARNING)
    try:
        connector = build(args)
    except config.ConfigError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    from kafka_connect.partition_writer import RecordError
    from kafka_connect.partitioner import TimestampError
    from kafka_connect.s3_sink import SinkFailed, Stopped

    try:
        connector.run(stop)
    except Stopped:
        pass
    except (SinkFailed, RecordError, TimestampError) as e:
        # As a Connect task goes FAILED: stop with the reason; the offset stays before the record.
        connector.last_error = f"FAILED: {e}"
        connector.stats.write()
        print(f"error: {e}", file=sys.stderr)
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
