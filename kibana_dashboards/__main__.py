"""Command line: ``python -m kibana_dashboards {load,convert-legacy,report,build}``.

  load            index template -> OpenSearch, saved objects -> Dashboards (idempotent)
  convert-legacy  Kibana 6.x JSON export -> importable NDJSON
  report          the panels as one HTML page + PNGs, from OpenSearch aggregations
  build           regenerate the bundled saved_objects.ndjson from panels.py
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from opensearchpy import OpenSearch

from . import DASHBOARDS_VERSION, INDEX_PATTERN_ID
from .legacy import convert, field_warnings
from .saved_objects import (
    NDJSON_FILE,
    build_objects,
    parse_ndjson,
    replaced_by,
    to_ndjson,
    unresolved_references,
)

log = logging.getLogger("kibana_dashboards")


def _load(args: argparse.Namespace) -> int:
    from .loader import import_objects, put_index_template, set_default_index_pattern

    if args.opensearch_url:
        kind = put_index_template(args.opensearch_url, wait=args.wait)
        print(f"index template apache ({kind}) put into {args.opensearch_url}")
    objects = build_objects()
    for extra in args.ndjson:
        objects, replaced = replaced_by(objects, parse_ndjson(Path(extra).read_text("utf-8")))
        if replaced:
            print(f"{extra}: {len(replaced)} objects replace the lab's of the same id ({', '.join(replaced)})")
    result = import_objects(args.url, objects, wait=args.wait)
    if not args.keep_default_index:
        set_default_index_pattern(args.url, wait=args.wait)
    print(f"{result.success_count} saved objects imported into {args.url} "
          f"(OpenSearch Dashboards {DASHBOARDS_VERSION} format)")
    return 0


def _convert(args: argparse.Namespace) -> int:
    export = json.loads(Path(args.file).read_text("utf-8"))
    objects = convert(export, index_pattern_id=args.index_pattern_id)
    for warning in field_warnings(objects):
        log.warning("%s", warning)
    dangling = unresolved_references(objects, [("index-pattern", args.index_pattern_id)])
    for ref in dangling:
        log.warning("%s references %s %s, which the export does not contain",
                    ref["source"], ref["type"], ref["id"])
    text = to_ndjson(objects)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"{len(objects)} objects written to {args.output}; import them with "
              f"`python -m kibana_dashboards load --url URL --ndjson {args.output}`")
    else:
        sys.stdout.write(text)
    return 0


def _report(args: argparse.Namespace) -> int:
    from .report import build, summary_line

    client = OpenSearch(hosts=[args.url], timeout=60)
    report = build(client, Path(args.out), index=args.index, range_spec=args.range)
    print(f"Clickstream report, {report.time_range.label}:")
    for result in report.results.values():
        print("  " + summary_line(result))
    print(f"HTML: {report.html_path}  PNGs: {len(report.png_paths)} in {args.out}")
    return 0


def _build(args: argparse.Namespace) -> int:
    out = Path(args.output)
    out.write_text(to_ndjson(build_objects()), encoding="utf-8")
    print(f"saved objects written to {out}")
    return 0


def parser() -> argparse.ArgumentParser:
    """The argument parser (also documents the commands)."""
    p = argparse.ArgumentParser(prog="python -m kibana_dashboards", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = p.add_subparsers(dest="command", required=True)

    load = sub.add_parser("load", help="put the index template and import the saved objects")
    load.add_argument("--url", required=True, help="OpenSearch Dashboards URL, e.g. http://127.0.0.1:5601")
    load.add_argument("--opensearch-url", help="OpenSearch URL for the index template")
    load.add_argument("--ndjson", action="append", default=[], metavar="FILE",
                      help="also import this NDJSON (e.g. a converted legacy export); repeatable")
    load.add_argument("--wait", type=float, default=300.0,
                      help="seconds to keep retrying while the servers start (default 300)")
    load.add_argument("--keep-default-index", action="store_true",
                      help="do not make the lab's index pattern the default one")
    load.set_defaults(func=_load)

    conv = sub.add_parser("convert-legacy", help="Kibana 6.x JSON export -> NDJSON")
    conv.add_argument("file", help="the export, e.g. clickstream_kibana.json")
    conv.add_argument("-o", "--output", help="NDJSON file to write (default: stdout)")
    conv.add_argument("--index-pattern-id", default=INDEX_PATTERN_ID,
                      help="index pattern for references the export lacks "
                           f"(default: the lab's, {INDEX_PATTERN_ID})")
    conv.set_defaults(func=_convert)

    rep = sub.add_parser("report", help="render the panels to HTML + PNG from OpenSearch")
    rep.add_argument("--url", required=True, help="OpenSearch URL, e.g. http://127.0.0.1:9200")
    rep.add_argument("--out", required=True, help="output directory")
    rep.add_argument("--index", default="apache*", help="index or pattern (default apache*)")
    rep.add_argument("--range", default="auto",
                     help="auto (default: last hour if the newest document is less than an "
                          "hour old, else all data), all, or a duration back from now: 15m, 1h, 24h, 7d")
    rep.set_defaults(func=_report)

    bld = sub.add_parser("build", help=f"regenerate the bundled {NDJSON_FILE}")
    bld.add_argument("-o", "--output", default=str(Path(__file__).with_name(NDJSON_FILE)))
    bld.set_defaults(func=_build)
    return p


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the process exit code."""
    args = parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("opensearch").setLevel(logging.WARNING)
    logging.getLogger("matplotlib").setLevel(logging.WARNING)
    try:
        return args.func(args)
    except Exception as exc:  # one readable line for the user; -v shows the traceback
        log.error("%s failed: %s", args.command, exc, exc_info=args.verbose)
        return 1


if __name__ == "__main__":
    sys.exit(main())
