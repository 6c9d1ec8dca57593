"""Command-line options of `python -m generator`, validated into one `Settings`.

Every check names the option at fault, e.g. "--rate: must be >= 0".
"""

from __future__ import annotations

import argparse
import random
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from generator import malformed
from generator.log_format import parse_tz

DEFAULT_SITE_URL = "http://www.unicornshop.com"
DEFAULT_COUNT = 1000


@dataclass(frozen=True)
class Settings:
    url: str | None
    file: Path | None
    count: int | None
    duration: float | None
    rate: float
    seed: int
    backfill_hours: float | None
    end_time: float | None
    tz_offset: int
    bad_fraction: float
    workers: int
    site_url: str
    site_dir: Path | None
    progress: bool
    log_level: str


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m generator",
        description="Unicorn-shop traffic: real HTTP visitors (--url) or access-log lines "
                    "written directly (--file).",
        epilog="Malformed-line kinds for --bad-fraction: " + ", ".join(malformed.KINDS)
               + " (see generator/malformed.py).")
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--url", help="send real requests to the shop at URL "
                                      "(e.g. http://127.0.0.1:8080)")
    target.add_argument("--file", type=Path, metavar="PATH",
                        help="append lines in Apache's format to PATH, without a server")
    parser.add_argument("--count", type=int, metavar="N",
                        help=f"requests/lines to produce (default {DEFAULT_COUNT} "
                             "when --duration is not given)")
    parser.add_argument("--duration", type=float, metavar="S", help="stop after S seconds")
    parser.add_argument("--rate", type=float, default=0.0, metavar="R",
                        help="requests or lines per second; 0 = as fast as possible (default)")
    parser.add_argument("--seed", type=int, help="random seed: same seed, same traffic "
                                                 "(default: random, printed in the log)")
    parser.add_argument("--backfill", type=float, metavar="HOURS",
                        help="file mode: spread the timestamps over the past HOURS, in order "
                             "(needs --count)")
    parser.add_argument("--end-time", metavar="ISO8601",
                        help="file mode with --backfill: end of the window instead of now "
                             "(e.g. 2026-11-22T10:00:00+00:00), for reproducible files")
    parser.add_argument("--tz", default="+0000", metavar="+HHMM",
                        help="file mode: time zone of the timestamps (default +0000)")
    parser.add_argument("--bad-fraction", type=float, default=0.0, metavar="F",
                        help="file mode: fraction of malformed lines, 0-1 (default 0)")
    parser.add_argument("--workers", type=int, default=16, metavar="N",
                        help="url mode: concurrent visitors/connections (default 16)")
    parser.add_argument("--site-url", default=DEFAULT_SITE_URL,
                        help=f"shop address used in referers (default {DEFAULT_SITE_URL})")
    parser.add_argument("--site-dir", type=Path,
                        help="file mode: the shop's files, for response sizes "
                             "(default services/apache/site)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument("--log-level", default="INFO",
                        choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    return parser


def parse_settings(argv: list[str] | None = None) -> Settings:
    """Parse and validate; exits with a message naming the option on a bad value."""
    parser = build_parser()
    args = parser.parse_args(argv)
    file_mode = args.file is not None

    def require(condition: bool, message: str) -> None:
        if not condition:
            parser.error(message)

    require(args.count is None or args.count > 0, "--count: must be > 0")
    require(args.duration is None or args.duration > 0, "--duration: must be > 0")
    require(args.rate >= 0, "--rate: must be >= 0 (0 = as fast as possible)")
    require(0 <= args.bad_fraction < 1, "--bad-fraction: must be in [0, 1)")
    require(file_mode or args.bad_fraction == 0, "--bad-fraction: only in file mode (--file)")
    require(file_mode or args.backfill is None, "--backfill: only in file mode (--file)")
    require(file_mode or args.tz == "+0000",
            "--tz: only in file mode; in url mode Apache writes its own time zone")
    require(args.workers >= 1, "--workers: must be >= 1")
    require(args.backfill is None or args.backfill > 0, "--backfill: must be > 0 hours")
    require(args.backfill is None or args.count is not None,
            "--backfill: needs --count (how many lines to spread over the window)")
    require(args.end_time is None or args.backfill is not None, "--end-time: needs --backfill")
    try:
        tz_offset = parse_tz(args.tz)
    except ValueError as error:
        parser.error(f"--tz: {error}")
    end_time = None
    if args.end_time is not None:
        try:
            moment = datetime.fromisoformat(args.end_time)
        except ValueError:
            parser.error(f"--end-time: {args.end_time!r} is not an ISO 8601 date and time")
        require(moment.tzinfo is not None, "--end-time: give a UTC offset, e.g. +00:00")
        end_time = moment.timestamp()
    if args.url is not None:
        require(args.url.startswith("http://"), "--url: must start with http://")
    count = args.count
    if count is None and args.duration is None:
        count = DEFAULT_COUNT
    return Settings(
        url=args.url, file=args.file, count=count, duration=args.duration, rate=args.rate,
        seed=args.seed if args.seed is not None else random.SystemRandom().randrange(2**31),
        backfill_hours=args.backfill, end_time=end_time, tz_offset=tz_offset,
        bad_fraction=args.bad_fraction, workers=args.workers, site_url=args.site_url,
        site_dir=args.site_dir, progress=not args.no_progress, log_level=args.log_level)
