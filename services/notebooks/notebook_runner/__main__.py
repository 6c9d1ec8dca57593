"""`python -m notebook_runner run --notebooks DIR --mount /mnt/NAME=s3://BUCKET/PREFIX
--s3-endpoint URL --geoip-database MMDB --out DIR [--continue]`: runs a folder's notebooks
(Databricks source, plain exports, .ipynb: notebook_files.py) in name order on one local
SparkSession and writes the report (notebook_runner.report). The run stops at the first failing
cell, as Databricks' "Run all" does, or with --continue goes on as clicking each cell would; it
ends with one line `cells: N ran, M failed`.

Exit status 0 when every cell ran, 1 when a cell failed (stderr names the notebook, the cell and
Spark's message; the report is still written), 2 for bad arguments.
"""
from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
from pathlib import Path

from notebook_runner import report, session
from notebook_runner.dbfs import DBFS
from notebook_runner.dbutils import DBUtils
from notebook_runner.display import Displays
from notebook_runner.execute import CellError, Runner
from notebook_runner.notebook_files import notebooks_in, read
from notebook_runner.source_format import NotebookFormatError

LOG = logging.getLogger("notebook_runner")


def _pair(text: str, what: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key or not value:
        raise argparse.ArgumentTypeError(f"{what} must be KEY=VALUE, got {text!r}")
    return key, value


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="notebook_runner", description=__doc__)
    sub = ap.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run a folder's notebooks and write the report")
    run.add_argument("--notebooks", type=Path, required=True,
                     help="folder of notebooks (Databricks source, plain exports with %%sql/%%python cells, .ipynb)")
    run.add_argument("--continue", dest="keep_going", action="store_true",
                     help="go on after a failing cell (as clicking each cell would) instead of stopping")
    run.add_argument("--mount", action="append", default=[], type=lambda t: _pair(t, "--mount"),
                     metavar="/mnt/NAME=s3://BUCKET/PREFIX", help="what dbutils.fs.mount of that mount point maps to (read in place through s3a)")
    run.add_argument("--s3-endpoint", required=True, help="the lab's S3 endpoint (LocalStack)")
    run.add_argument("--region", default=os.environ.get("AWS_DEFAULT_REGION", "us-east-1"))
    run.add_argument("--geoip-database", action="append", default=[], type=Path,
                     help="a city .mmdb (repeat for DB-IP's IPv4 and IPv6 files): the widget geoip_database")
    run.add_argument("--widget", action="append", default=[], type=lambda t: _pair(t, "--widget"),
                     metavar="NAME=VALUE", help="a widget's value (wins over its default)")
    run.add_argument("--out", type=Path, required=True, help="report folder")
    run.add_argument("--work-dir", type=Path, help="DBFS root and Spark's warehouse (default: a temporary folder)")
    run.add_argument("--master", default="local[*]")
    run.add_argument("--driver-memory", default="2g")
    run.add_argument("--shuffle-partitions", type=int, default=8)
    args = ap.parse_args(argv)
    for point, _ in args.mount:
        if not point.startswith("/mnt/"):
            ap.error(f"--mount: mount point must start with /mnt/, got {point!r}")
    for path in args.geoip_database:
        if not path.is_file():
            ap.error(f"--geoip-database: {path} is not a file")
    if not args.notebooks.is_dir():
        ap.error(f"--notebooks: {args.notebooks} is not a folder")
    return args


def _s3_factory(endpoint: str, region: str):
    def make():
        import boto3

        return boto3.client("s3", endpoint_url=endpoint, region_name=region,
                            aws_access_key_id=os.environ.get("AWS_ACCESS_KEY_ID", "test"),
                            aws_secret_access_key=os.environ.get("AWS_SECRET_ACCESS_KEY", "test"))
    return make


def run(args: argparse.Namespace, work: Path) -> int:
    try:
        notebooks = [read(path) for path in notebooks_in(args.notebooks)]
    except NotebookFormatError as error:
        print(f"notebook_runner: {error}", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    widgets = dict(args.widget)
    if args.geoip_database:
        widgets.setdefault("geoip_database", ",".join(str(p.resolve()) for p in args.geoip_database))
    dbfs = DBFS(work / "dbfs", _s3_factory(args.s3_endpoint, args.region), declared=dict(args.mount))
    dbfs.root.mkdir(parents=True, exist_ok=True)
    spark = session.start(session.SparkSettings(args.master, args.driver_memory, args.shuffle_partitions,
                                                args.s3_endpoint, args.region), work)
    displays = Displays(args.out)
    runner = Runner(spark, dbfs, DBUtils(dbfs, widgets), displays, keep_going=args.keep_going)
    status = 0
    try:
        for notebook in notebooks:
            LOG.info("notebook %s: %d cells", notebook.path.name, len(notebook.cells))
            runner.run_notebook(notebook)
    except CellError as error:
        runner.log.error = str(error)
        print(f"notebook_runner: {error}", file=sys.stderr)
        status = 1
    for failure in runner.log.failures:
        print(f"notebook_runner: {failure}", file=sys.stderr)
    if runner.log.failures:
        runner.log.error = "\n".join(runner.log.failures)
        status = 1
    try:
        gold = report.write_gold(spark, args.out)
        path = report.write_html(args.out, runner.log, gold, displays, [n.path.name for n in notebooks])
        LOG.info("report: %s (%d gold tables)", path, len(gold))
    finally:
        spark.stop()
    print(runner.log.summary())
    return status


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("py4j").setLevel(logging.WARNING)
    args = parse_args(argv)
    if args.work_dir:
        args.work_dir.mkdir(parents=True, exist_ok=True)
        return run(args, args.work_dir.resolve())
    with tempfile.TemporaryDirectory(prefix="lab-notebooks-") as work:
        return run(args, Path(work))


if __name__ == "__main__":
    sys.exit(main())
