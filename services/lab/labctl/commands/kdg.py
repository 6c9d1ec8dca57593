"""`make kdg`: the Kinesis Data Generator (generator.kdg) pointed at the lab's LocalStack.

labctl passes the endpoint in (`--endpoint-url` from the LAB_* settings) so that the
generator package never imports labctl: labctl imports the generator (the anomaly lab sends
through the KDG), not the other way round."""
from __future__ import annotations

import argparse

from generator.kdg.__main__ import main as kdg_main
from labctl import settings as lab


def run(settings: lab.LabSettings, args: argparse.Namespace) -> int:
    argv = list(args.kdg_args)
    if not any(a == "--endpoint-url" or a.startswith("--endpoint-url=") for a in argv):
        argv += ["--endpoint-url", settings.localstack_url]
    return kdg_main(argv)
