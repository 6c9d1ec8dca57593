"""`make logs`: follow the services' logs of the running runtime."""
from __future__ import annotations

import argparse

from labctl import runtimes
from labctl import settings as lab


def run(settings: lab.LabSettings, _args: argparse.Namespace) -> int:
    runtime = runtimes.running(settings) or runtimes.NativeRuntime(settings)
    return runtime.follow_logs()
