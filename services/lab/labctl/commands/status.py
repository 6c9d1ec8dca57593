"""`make status`: health and counts per stage, as text or JSON (labctl.status)."""
from __future__ import annotations

import argparse

from labctl import lab_running, status
from labctl import settings as lab


def run(settings: lab.LabSettings, args: argparse.Namespace) -> int:
    # the record alone: a lab whose services died still gets its status
    lab_status = status.collect(settings, lab_running.require(settings, probe=False))
    print(status.render_json(lab_status) if args.format == "json" else status.render_text(lab_status))
    return 0
