"""`make generate`: visitors' traffic through the unicorn shop, on the running runtime."""
from __future__ import annotations

import argparse

from labctl import lab_running
from labctl import settings as lab


def run(settings: lab.LabSettings, args: argparse.Namespace) -> int:
    # Defaults for a live demo: a steady 10 visitors' requests/s for 5 minutes.
    # COUNT alone sends that many requests as fast as possible.
    rate = args.rate if args.rate is not None else (None if args.count is not None else 10)
    duration = args.duration if args.duration is not None else (None if args.count is not None else 300)
    extra: list[str] = []
    for opt, value in (("rate", rate), ("duration", duration), ("count", args.count)):
        if value is not None:
            extra += [f"--{opt}", str(value)]
    return lab_running.require(settings).generate(extra)
