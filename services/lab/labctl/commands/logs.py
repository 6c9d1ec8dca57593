"""`make logs`: follow the services' logs of the running runtime."""
from __future__ import annotations

import argparse

from labctl import runtimes
from labctl import settings as lab


def run(s: lab.LabSettings, _args: argparse.Namespace) -> int:
    runtime = runtimes.running(s) or runtimes.NativeRuntime(s)
    return runtime.follow_logs()
