"""`make status`: health and counts per stage, as text or JSON (labctl.status)."""
from __future__ import annotations

import argparse

from labctl import labs, runtimes, status
from labctl import settings as lab


def run(settings: lab.LabSettings, args: argparse.Namespace) -> int:
    runtime = runtimes.running(settings)
    # nothing recorded: the native hooks, which find nothing running, say "not started"
    hooks = labs.hooks(runtime.name if runtime else "native", settings)
    lab_status = status.collect(settings, runtime, hooks)
    print(status.render_json(lab_status) if args.format == "json" else status.render_text(lab_status, hooks))
    return 0
