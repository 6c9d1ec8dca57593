"""`python -m labctl`: the lab's commands (up, down, status, provision, generate, logs, ...).

The Makefile calls these; `make up` picks the compose runtime when a Docker
engine answers and the native one otherwise, and says which.
"""
from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

import boto3

from labctl import data_lake, geoip, localstack_native, native, provision, runtimes, status
from labctl import settings as lab

LOG = logging.getLogger(__name__)


def cmd_up(s: lab.LabSettings, _args) -> int:
    runtime, why = runtimes.choose(s)
    print(f"make up: using the {runtime.name} runtime ({why})")
    runtimes.record(s, runtime)
    started = time.monotonic()
    try:
        rc = runtime.up()
    except native.LabStartError as error:
        print(f"make up: {error}", file=sys.stderr)
        print("make up: stopping what started (make down)", file=sys.stderr)
        runtime.down()
        runtimes.record(s, None)
        return 1
    if rc:
        return rc
    print(f"\nThe lab is up ({time.monotonic() - started:.0f}s):")
    print(f"  unicorn shop        {s.apache_url}/")
    print(f"  LocalStack          {s.localstack_url}  (Firehose {lab.DELIVERY_STREAM}, Lambda {lab.LAMBDA_NAME})")
    print(f"  OpenSearch API      {s.opensearch_url}  (index {lab.INDEX_NAME})")
    if "dashboards" in runtime.extra_health_urls():
        print(f"  Dashboards          {s.dashboards_url}/app/dashboards")
    else:
        print("  Dashboards          (no Dashboards UI natively: `make report` renders the panels)")
    print("Next: `make generate`, then `make status`.")
    return 0


def cmd_down(s: lab.LabSettings, _args) -> int:
    # Native processes are stopped whatever was recorded: `down` must end what the lab
    # started even when the record is missing or a start failed half-way.
    stopped = native.down(s)
    stopped = localstack_native.stop_standalone(s.state_dir) or stopped
    runtime = runtimes.running(s)
    if runtime is not None and runtime.name != "native":
        stopped = runtime.down() or stopped
    runtimes.record(s, None)
    print("lab stopped" if stopped else "nothing of the lab was running")
    return 0


def cmd_reset(s: lab.LabSettings, _args) -> int:
    from labctl import reset

    removed = reset.reset(s)
    runtimes.record(s, None)
    print("removed " + ", ".join(removed) if removed else "nothing to remove")
    return 0


def cmd_status(s: lab.LabSettings, args) -> int:
    st = status.collect(s, runtimes.running(s))
    print(status.render_json(st) if args.format == "json" else status.render_text(st))
    return 0


def cmd_provision(s: lab.LabSettings, args) -> int:
    provision.provision(provision.ProvisionTarget(
        localstack_url=args.localstack_url or s.localstack_url,
        opensearch_url=args.opensearch_url or s.opensearch_url,
        lambda_zip=Path(args.lambda_zip) if args.lambda_zip else s.lambda_zip,
        buffer_interval=s.buffer_interval, buffer_size_mb=s.buffer_size_mb,
        retry_duration=s.retry_duration, geoip_files=geoip.provision_files(s),
    ))
    return 0


def cmd_geoip(s: lab.LabSettings, _args) -> int:
    for path in geoip.database_files(s):
        print(path)
    if s.geoip_database is None:
        print(geoip.ATTRIBUTION)
    return 0


def cmd_generate(s: lab.LabSettings, args) -> int:
    # Defaults for a live demo: a steady 10 visitors' requests/s for 5 minutes.
    # COUNT alone sends that many requests as fast as possible.
    rate = args.rate if args.rate is not None else (None if args.count is not None else 10)
    duration = args.duration if args.duration is not None else (None if args.count is not None else 300)
    extra: list[str] = []
    for opt, value in (("rate", rate), ("duration", duration), ("count", args.count)):
        if value is not None:
            extra += [f"--{opt}", str(value)]
    runtime = runtimes.running(s) or runtimes.NativeRuntime(s)
    return runtime.generate(extra)


def cmd_logs(s: lab.LabSettings, _args) -> int:
    runtime = runtimes.running(s) or runtimes.NativeRuntime(s)
    return runtime.follow_logs()


def cmd_wait(_s: lab.LabSettings, _args) -> int:
    from labctl import compose

    return compose.wait_ready()


def cmd_localstack(s: lab.LabSettings, args) -> int:
    from labctl import localstack_native as ls

    cfg = ls.NativeLocalStackConfig(venv=s.localstack_venv, state_dir=s.state_dir / "localstack",
                                    port=s.localstack_port, bind_address=s.bind_address)
    pid_file = s.state_dir / "localstack.pid"
    if args.action == "start":
        if ls.is_ready(cfg.url):
            print(f"LocalStack already answers on {cfg.url}")
            return 0
        proc = ls.start(cfg, s.state_dir / "logs" / "localstack.log")
        pid_file.write_text(str(proc.pid))
        ls.wait_ready(cfg.url, proc)
        print(f"native LocalStack ready on {cfg.url} (pid {proc.pid}, log .lab/logs/localstack.log)")
        return 0
    print("stopped LocalStack" if localstack_native.stop_standalone(s.state_dir) else
          "no LocalStack started by `make native-localstack`")
    return 0


def cmd_athena(s: lab.LabSettings, args) -> int:
    """Crawl the backup, then run the example Athena queries and print their results."""
    def client(service: str):
        return boto3.client(service, endpoint_url=s.localstack_url, region_name=lab.REGION,
                            aws_access_key_id="test", aws_secret_access_key="test")

    queries = data_lake.example_queries()
    if args.query and args.query not in queries:
        print(f"error: no query named {args.query!r} in {lab.EXAMPLE_QUERIES} "
              f"(known: {', '.join(queries)})", file=sys.stderr)
        return 2
    if not args.no_crawl:
        crawler = data_lake.crawl(client("glue"))
        print(f"crawler {lab.CRAWLER_NAME}: last crawl {crawler.get('LastCrawl', {}).get('Status')}")
    failed = 0
    for name, sql in queries.items():
        if args.query and name != args.query:
            continue
        execution, rows = data_lake.run_query(client("athena"), sql)
        status = execution["Status"]
        seconds = execution["Statistics"]["TotalExecutionTimeInMillis"] / 1000
        print(f"\n== {name} ({status['State']}, {seconds:.2f}s)")
        if status["State"] == "SUCCEEDED":
            print(data_lake.render_table(rows))
        else:
            failed += 1
            print(status.get("StateChangeReason", ""))
    return 1 if failed else 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="labctl", description=__doc__)
    p.add_argument("-v", "--verbose", action="store_true")
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("up", help="start the lab").set_defaults(func=cmd_up)
    sub.add_parser("down", help="stop what the lab started (its state is kept)").set_defaults(func=cmd_down)
    sub.add_parser("reset", help="stop the lab and wipe its state (.lab/, compose volumes)"
                   ).set_defaults(func=cmd_reset)
    st = sub.add_parser("status", help="health and counts per stage")
    st.add_argument("--format", choices=("text", "json"), default="text")
    st.set_defaults(func=cmd_status)
    pr = sub.add_parser("provision", help="create/update the lab's AWS resources (idempotent)")
    pr.add_argument("--localstack-url")
    pr.add_argument("--opensearch-url", help="OpenSearch URL as LocalStack's Firehose reaches it")
    pr.add_argument("--lambda-zip")
    pr.set_defaults(func=cmd_provision)
    sub.add_parser("geoip", help="install the GeoIP city database (DB-IP's, or LAB_GEOIP_DATABASE)"
                   ).set_defaults(func=cmd_geoip)
    g = sub.add_parser("generate", help="traffic through the unicorn shop")
    g.add_argument("--rate", type=float)
    g.add_argument("--duration", type=float)
    g.add_argument("--count", type=int)
    g.set_defaults(func=cmd_generate)
    sub.add_parser("logs", help="follow the services' logs").set_defaults(func=cmd_logs)
    at = sub.add_parser("athena", help="crawl the backup and run the example Athena queries")
    at.add_argument("--query", help="run only this named query")
    at.add_argument("--no-crawl", action="store_true", help="do not start the crawler first")
    at.set_defaults(func=cmd_athena)
    sub.add_parser("wait", help="wait until the compose lab is ready (`up --wait` for Compose v1)"
                   ).set_defaults(func=cmd_wait)
    ls = sub.add_parser("localstack", help="native LocalStack alone (make native-localstack)")
    ls.add_argument("action", choices=("start", "stop"))
    ls.set_defaults(func=cmd_localstack)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s", datefmt="%H:%M:%S")
    try:
        s = lab.load()
    except lab.SettingsError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return args.func(s, args)


if __name__ == "__main__":
    sys.exit(main())
