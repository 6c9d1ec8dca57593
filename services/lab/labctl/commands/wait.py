"""`make wait` / `python -m labctl wait`: return when the lab is ready, or when N lines are
accounted for (`--lines`); exit 1 on time-out naming what is not ready.

Inside the compose network (services/lab/container-lab.sh) it waits on the containers'
health instead (`up --wait` for Compose v1).
"""
from __future__ import annotations

import argparse
import sys

from labctl import lab_running, readiness
from labctl import settings as lab
from labctl.errors import LabTimeout


def run(settings: lab.LabSettings, args: argparse.Namespace) -> int:
    if settings.in_compose_network:
        from labctl import compose

        return compose.wait_ready()
    runtime = lab_running.require(settings)
    try:
        readiness.wait_ready(settings, runtime, args.timeout)
        print(f"make wait: the {runtime.name} lab is ready")
        if args.lines is not None:
            done = readiness.wait_accounted(lambda: readiness.accounting(settings, runtime), args.lines,
                                            args.timeout)
            print(f"make wait: {done.accounted} lines accounted for ({done.indexed} indexed, "
                  f"{done.processing_failed} processing-failed, {done.delivery_failed} delivery-failed, "
                  f"{done.dropped} dropped)")
    except LabTimeout as error:
        print(f"make wait: {error}", file=sys.stderr)
        return 1
    return 0
