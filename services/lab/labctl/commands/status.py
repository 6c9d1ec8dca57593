"""`make status`: health and counts per stage, as text or JSON (labctl.status)."""
from __future__ import annotations

import argparse

from labctl import runtimes, status
from labctl import settings as lab


def run(settings: lab.LabSettings, args: argparse.Namespace) -> int:
    lab_status = status.collect(settings, runtimes.running(settings))
    print(status.render_json(lab_status) if args.format == "json" else status.render_text(lab_status))
    return 0
