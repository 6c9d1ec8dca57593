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
    if args.format == "json":
        print(status.render_json(lab_status))
    else:
        print(status.render_text(lab_status, hooks, verbose=getattr(args, "details", False)))
    return 0
