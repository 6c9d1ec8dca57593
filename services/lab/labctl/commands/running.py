"""`labctl running`: exit 0 when the lab is running, else say `the lab is not running: make up`
and exit 1. The Makefile runs it first for the targets that need the lab but are not labctl
commands (`make report`, `make anomaly-lab`, `make notebooks`), so that they speak with the
same voice, before installing anything."""
from __future__ import annotations

import argparse

from labctl import lab_running
from labctl import settings as lab


def run(settings: lab.LabSettings, _args: argparse.Namespace) -> int:
    lab_running.require(settings)
    return 0
