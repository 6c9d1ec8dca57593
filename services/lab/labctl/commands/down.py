"""`make down`: stop everything the lab started, whichever runtime started it."""
from __future__ import annotations

import argparse

from labctl import labs, localstack_native, native, runtimes, started_settings
from labctl import settings as lab


def run(settings: lab.LabSettings, _args: argparse.Namespace) -> int:
    # Native processes are stopped whatever was recorded: `down` must end what the lab
    # started even when the record is missing or a start failed half-way.
    runtime = runtimes.running(settings)
    for hook in labs.hooks(runtime.name, settings) if runtime else ():
        hook.stop()   # the sibling labs first, while the main lab still answers
    stopped = native.down(settings)
    stopped = localstack_native.stop_standalone(settings.state_dir) or stopped
    if runtime is not None and runtime.name != "native":
        stopped = runtime.down() or stopped
    runtimes.record(settings, None)
    started_settings.forget(settings)
    print("lab stopped" if stopped else "nothing of the lab was running")
    return 0
