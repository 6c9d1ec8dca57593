"""`python -m labctl`: the lab's commands (up, down, status, provision, generate, logs, ...).

The Makefile calls these; `make up` picks the compose runtime when a Docker engine answers
and the native one otherwise, and says which. This module parses the command line and
dispatches to `labctl/commands/<command>.py`, which holds what the command does.
"""
from __future__ import annotations

import argparse
import importlib
import logging
import sys
from types import ModuleType

from labctl import settings as lab
from labctl.errors import LabError

LOG = logging.getLogger(__name__)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="labctl", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("up", help="start the lab")
    commands.add_parser("down", help="stop what the lab started (its state is kept)")
    commands.add_parser("reset", help="stop the lab and wipe its state (.lab/, compose volumes)")
    status = commands.add_parser("status", help="health and counts per stage")
    status.add_argument("--format", choices=("text", "json"), default="text")
    status.add_argument("-v", "--details", action="store_true",
                        help="every Firehose counter, zeros included (labctl's own -v comes before the command)")
    provision = commands.add_parser("provision", help="create/update the lab's AWS resources (idempotent)")
    provision.add_argument("--localstack-url")
    provision.add_argument("--opensearch-url", help="OpenSearch URL as LocalStack's Firehose reaches it")
    provision.add_argument("--lambda-zip")
    commands.add_parser("geoip", help="install the GeoIP city database (DB-IP's, or LAB_GEOIP_DATABASE)")
    generate = commands.add_parser("generate", help="traffic through the unicorn shop")
    generate.add_argument("--rate", type=float)
    generate.add_argument("--duration", type=float)
    generate.add_argument("--count", type=int)
    commands.add_parser("logs", help="follow the services' logs")
    commands.add_parser("running", help="exit 0 when the lab runs, else say `the lab is not running: make up`")
    commands.add_parser("env", help="export lines for the AWS CLI against the lab (eval \"$(make -s env)\")")
    athena = commands.add_parser("athena", help="crawl the backup and run the example Athena queries")
    athena.add_argument("--query", help="run only this named query")
    athena.add_argument("--no-crawl", action="store_true", help="do not start the crawler first")
    wait = commands.add_parser("wait", help="wait until the lab is ready, or until --lines lines are accounted for")
    wait.add_argument("--lines", type=int, help="also wait until this many lines are indexed or in a failure output")
    wait.add_argument("--timeout", type=float, default=300, help="seconds (default 300); exit 1 after them")
    lake = commands.add_parser("lake-lab", help="deploy the Parquet sibling lab's stack into the running lab")
    lake.add_argument("--endpoint", help="LocalStack's URL (default: the lab's)")
    lake.add_argument("--bucket", default="clickstream-lake")
    lake.add_argument("--visits", type=int, default=500,
                      help="requests of the shop's traffic to send through the stack (default 500; 0: deploy only)")
    anomaly = commands.add_parser("anomaly-lab", help="run the anomaly sibling lab (Glue streaming job, "
                                  "two KDGs, crawler, Athena) in the running lab")
    anomaly.add_argument("--endpoint", help="LocalStack's URL (default: the lab's)")
    anomaly.add_argument("--bucket", default="ticket-transactions-lab")
    anomaly.add_argument("--duration", type=float, default=60, help="seconds the KDGs send (default 60)")
    anomaly.add_argument("--rate", type=float, default=100, help="normal records per second (default 100)")
    anomaly.add_argument("--keep-running", action="store_true", help="leave the streaming job running")
    cloudwatch = commands.add_parser("cloudwatch-lab", help="start the CloudWatch Logs -> Kafka -> S3 lab "
                                     "(Kafka, the awslogs agent, two connectors) beside the running lab")
    cloudwatch.add_argument("--provision-only", action="store_true", help="only create its buckets")
    cloudwatch.add_argument("--localstack-url", help="with --provision-only: LocalStack's URL")
    commands.add_parser("kdg", add_help=False, help="the Kinesis Data Generator on the lab's "
                        "LocalStack (its arguments go to python -m generator.kdg)")
    localstack = commands.add_parser("localstack", help="native LocalStack alone (make native-localstack)")
    localstack.add_argument("action", choices=("start", "stop"))
    return parser


def command_module(name: str) -> ModuleType:
    """The module that runs command `name`: labctl/commands/<name>.py (imported when used,
    so that `status` does not pay for what `up` needs)."""
    return importlib.import_module(f"labctl.commands.{name.replace('-', '_')}")


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if args.command == "kdg":
        args.kdg_args = extra
    elif extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s", datefmt="%H:%M:%S")
    try:
        return command_module(args.command).run(lab.load(), args)
    except (LabError, TimeoutError) as error:
        # The user's next step is in the message; the traceback is for -v.
        LOG.debug("labctl %s failed", args.command, exc_info=True)
        print(f"error: {error}", file=sys.stderr)
        return getattr(error, "exit_code", 1)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
