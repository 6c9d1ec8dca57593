"""`make status`: health and counts per stage, as text or JSON (labctl.status)."""
from __future__ import annotations

import argparse

from labctl import runtimes, status
from labctl import settings as lab


def run(s: lab.LabSettings, args: argparse.Namespace) -> int:
    st = status.collect(s, runtimes.running(s))
    print(status.render_json(st) if args.format == "json" else status.render_text(st))
    return 0
