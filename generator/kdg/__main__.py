"""`python -m generator.kdg` (`make kdg`): send records from KDG templates to a Kinesis stream
or Firehose delivery stream of the lab's LocalStack, or, with no --template, serve the
KDG web page on 127.0.0.1 and print its URL.

  python -m generator.kdg --template t.hbs --stream webserver_stream --rate 100 --duration 60
  python -m generator.kdg --template a.hbs --template b.hbs --stream s --count 1000
  python -m generator.kdg --template t.hbs --render 5      # print 5 records, send nothing
  python -m generator.kdg                                   # the web page"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from pathlib import Path

from tqdm import tqdm

from generator.kdg.helpers import ALIASES, HELPERS, make_context
from generator.kdg.sender import KINDS, Generator, Target, list_streams, make_clients
from generator.kdg.template import Template, TemplateError, compile_template

log = logging.getLogger("generator.kdg")
DEFAULT_PORT = 8901
DEFAULT_ENDPOINT = "http://127.0.0.1:4566"


def default_endpoint() -> str:
    """The lab's LocalStack at its default address; `make kdg` (`labctl kdg`) passes the
    configured one (LAB_LOCALSTACK_PORT, LAB_BIND_ADDRESS) in as --endpoint-url."""
    return DEFAULT_ENDPOINT


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m generator.kdg",
        description="The lab's Kinesis Data Generator: records from faker.js-style templates "
                    "to a Kinesis stream or Firehose delivery stream of the lab's LocalStack. "
                    "Without --template: the web page.")
    parser.add_argument("--template", action="append", type=Path, metavar="FILE", default=[],
                        help="record template; repeat for several generators sending at once")
    parser.add_argument("--stream", metavar="NAME", help="Kinesis stream or delivery stream name")
    parser.add_argument("--type", choices=KINDS,
                        help="stream type (default: found from the stream's name)")
    parser.add_argument("--rate", type=float, default=100.0, metavar="R",
                        help="records per second per template (default 100; 0 = as fast as "
                             "possible, needs --count or --duration)")
    parser.add_argument("--count", type=int, metavar="N", help="records per template, then stop")
    parser.add_argument("--duration", type=float, metavar="S", help="stop after S seconds")
    parser.add_argument("--seed", type=int, help="random seed: same seed, same records "
                                                 "(the dates aside); template i uses seed+i")
    parser.add_argument("--render", type=int, metavar="N",
                        help="print N records of each template and exit (nothing is sent)")
    parser.add_argument("--endpoint-url", help=f"LocalStack URL (default {DEFAULT_ENDPOINT}; `make kdg` "
                                               "passes the lab's, from LAB_LOCALSTACK_PORT/LAB_BIND_ADDRESS)")
    parser.add_argument("--max-retries", type=int, default=3, metavar="N",
                        help="times a refused record is sent again (default 3)")
    parser.add_argument("--no-newline", action="store_true",
                        help="do not end each record with \\n (KDG does)")
    parser.add_argument("--port", type=int, default=int(os.environ.get("LAB_KDG_PORT", DEFAULT_PORT)),
                        help=f"web page port on 127.0.0.1 (default LAB_KDG_PORT or {DEFAULT_PORT}; "
                             "0 = a free one)")
    parser.add_argument("--helpers", action="store_true", help="list the template helpers")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    return parser


def load_templates(paths: list[Path]) -> list[Template]:
    """Compile every template first; a TemplateError names the file."""
    templates = []
    for path in paths:
        try:
            templates.append(compile_template(path.read_text()))
        except TemplateError as error:
            raise SystemExit(f"{path}: {error}") from None
    return templates


def find_kind(clients: dict, name: str) -> str:
    streams = list_streams(clients)
    kinds = [kind for kind in KINDS if name in streams[kind]]
    if len(kinds) != 1:
        found = "both a Kinesis stream and a delivery stream" if kinds else "no such stream"
        raise SystemExit(f"--stream {name}: {found} (streams: {streams}); give --type")
    return kinds[0]


def send(args: argparse.Namespace, templates: list[Template]) -> int:
    clients = make_clients(args.endpoint_url or default_endpoint())
    target = Target(args.type or find_kind(clients, args.stream), args.stream)
    generators = [Generator(t, target, clients, args.rate, count=args.count, duration=args.duration,
                            seed=None if args.seed is None else args.seed + i,
                            max_retries=args.max_retries, newline=not args.no_newline)
                  for i, t in enumerate(templates)]
    show = not args.no_progress and sys.stderr.isatty()
    bars = [tqdm(total=g._total(), unit="rec", position=i, disable=not show,
                 desc=f"{Path(p).name} -> {target.name}")
            for i, (g, p) in enumerate(zip(generators, args.template))]
    for g in generators:
        g.start()
    try:
        while any(g.progress.snapshot()["state"] in ("starting", "running") for g in generators):
            for g, bar in zip(generators, bars):
                bar.update(g.progress.snapshot()["sent"] - bar.n)
            time.sleep(0.2)
    except KeyboardInterrupt:
        for g in generators:
            g.stop()
    for g, bar in zip(generators, bars):
        g.join()
        bar.update(g.progress.snapshot()["sent"] - bar.n)
        bar.close()
    status = 0
    for path, g in zip(args.template, generators):
        p = g.progress.snapshot()
        print(f"{path}: {p['sent']} records sent to {target.kind} {target.name}, "
              f"{p['failed']} failed, {p['retried']} retried ({p['state']})")
        if p["state"] == "error":
            print(f"  error: {p['error']}", file=sys.stderr)
            status = 2
        elif p["failed"]:
            status = max(status, 1)
    return status


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=args.log_level, format="%(asctime)s %(name)s %(message)s")
    if args.helpers:
        print("\n".join(sorted(HELPERS)))
        print("aliases: " + ", ".join(f"{a}={b}" for a, b in sorted(ALIASES.items())))
        return 0
    if not args.template:
        from generator.kdg.web import serve

        return serve(args.port, args.endpoint_url or default_endpoint())
    templates = load_templates(args.template)
    if args.render is not None:
        for i, template in enumerate(templates):
            context = make_context(None if args.seed is None else args.seed + i)
            for _ in range(args.render):
                print(template.render(context))
        return 0
    if not args.stream:
        raise SystemExit("--stream: needed to send (or --render N to print records)")
    if args.rate < 0 or (args.rate == 0 and args.count is None and args.duration is None):
        raise SystemExit("--rate: must be > 0, or 0 with --count or --duration")
    return send(args, templates)


if __name__ == "__main__":
    sys.exit(main())
