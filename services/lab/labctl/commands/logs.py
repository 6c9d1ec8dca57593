"""`make logs`: follow the services' logs of the running runtime."""
from __future__ import annotations

import argparse

from labctl import lab_running
from labctl import settings as lab


def run(settings: lab.LabSettings, _args: argparse.Namespace) -> int:
    return lab_running.require(settings, probe=False).follow_logs()
