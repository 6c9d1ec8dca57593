"""Throughput of the traffic generator (not part of the tests).

Figures:
  file_lines_per_s     file mode, backfill of 1,000,000 lines (quick: 200,000) into a
                       temporary file, in this process on one core; target 200,000
  file_lines_per_cpu_s the same run, lines per CPU second of this process (one core's
                       speed, less sensitive to the other builds on a shared machine)
  file_mb_per_s        the same run in MB written per second
  url_requests_per_s   url mode against a host Apache started here on a free 127.0.0.1
                       port (the shop's configuration), 30,000 requests (quick: 8,000)
                       from 16 keep-alive workers; target 1,000. Apache and the
                       generator share the machine's cores.

Run: python -m tests.bench.bench_generator [--quick]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from generator import file_mode, url_mode
from tests.apache.server import running_apache, wait_for_lines

MACHINE_NOTE = f"wall clock, {os.cpu_count()} cores shared with other builds"


def bench_file_mode(quick: bool, directory: Path) -> list[dict]:
    count = 200_000 if quick else 1_000_000
    path = directory / "access_log"
    options = file_mode.FileModeOptions(
        path=path, count=count, duration=None, rate=0, seed=1,
        site_url="http://www.unicornshop.com", backfill_hours=24, end_time=time.time())
    cpu_started = time.process_time()
    stats = file_mode.run(options)
    cpu = time.process_time() - cpu_started
    megabytes = path.stat().st_size / 1e6
    return [
        {"component": "generator", "metric": "file_lines_per_s", "value": stats.per_second,
         "unit": "lines/s", "target": 200_000.0,
         "notes": f"{count:,} lines, 24 h backfill, one process; {MACHINE_NOTE}"},
        {"component": "generator", "metric": "file_lines_per_cpu_s", "value": count / cpu,
         "unit": "lines/s", "target": 200_000.0,
         "notes": "the same run per second of this process's CPU time: one core's speed, "
                  "less sensitive to other load on the machine"},
        {"component": "generator", "metric": "file_mb_per_s", "value": megabytes / stats.elapsed,
         "unit": "MB/s", "target": None, "notes": f"{megabytes:.0f} MB written"},
    ]


def bench_url_mode(quick: bool, directory: Path) -> list[dict]:
    count = 8_000 if quick else 30_000
    workers = 16
    with running_apache(directory / "apache") as apache:
        options = url_mode.UrlModeOptions(
            url=apache.url, count=count, duration=None, rate=0, seed=1,
            site_url="http://www.unicornshop.com", workers=workers)
        stats = url_mode.run(options)
        logged = len(wait_for_lines(apache.access_log, count))
    return [
        {"component": "generator", "metric": "url_requests_per_s", "value": stats.per_second,
         "unit": "req/s", "target": 1_000.0,
         "notes": f"{count:,} requests, {workers} keep-alive workers, {logged:,} lines logged, "
                  f"{stats.errors} errors; Apache on the same {os.cpu_count()} shared cores"},
    ]


def run(quick: bool = False) -> list[dict]:
    with tempfile.TemporaryDirectory(prefix="bench-generator-") as tmp:
        return bench_file_mode(quick, Path(tmp)) + bench_url_mode(quick, Path(tmp))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smaller runs")
    args = parser.parse_args()
    for figure in run(quick=args.quick):
        target = "" if figure["target"] is None else f"(target {figure['target']:,.0f})"
        print(f"{figure['metric']:<22} {figure['value']:>12,.1f} {figure['unit']:<8} {target:<18} "
              f"{figure['notes']}")


if __name__ == "__main__":
    main()
