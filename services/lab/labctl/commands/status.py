"""`make status`: health and counts per stage, as text or JSON (labctl.status)."""
from __future__ import annotations

import argparse

from labctl import lab_running, labs, status
from labctl import settings as lab


def run(settings: lab.LabSettings, args: argparse.Namespace) -> int:
    # the record alone: a lab whose services died still gets its status
    runtime = lab_running.require(settings, probe=False)
    hooks = labs.hooks(runtime.name, settings)
    lab_status = status.collect(settings, runtime, hooks)
    print(status.render_json(lab_status) if args.format == "json" else status.render_text(lab_status, hooks))
    return 0
