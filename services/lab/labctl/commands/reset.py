"""`make reset`: the one way to wipe the lab's state (issue 21).

`make down` stops what the lab started and keeps every byte of state; `reset` stops the
lab too, then removes the state directory (`.lab/`: natively S3, Kinesis, Lambda,
Firehose's journal, the Glue catalog, Athena's history, Kinesis Analytics applications,
logs, the agent's checkpoints) and, when a Docker engine answers, the compose lab's
named volumes (`docker compose down --volumes`: OpenSearch's data, LocalStack's volume,
Apache's logs, the agent's state).
"""
from __future__ import annotations

import argparse
import shutil

from labctl import compose, localstack_native, native, runtimes
from labctl.settings import LabSettings


def run(settings: LabSettings, _args: argparse.Namespace) -> int:
    removed = reset(settings)
    runtimes.record(settings, None)
    print("removed " + ", ".join(removed) if removed else "nothing to remove")
    return 0


def reset(settings: LabSettings) -> list[str]:
    """Stop everything and wipe its state; returns what was removed."""
    removed = []
    native.down(settings)
    localstack_native.stop_standalone(settings.state_dir)
    if compose.engine_answers():
        compose.remove_with_volumes()
        removed.append("the compose lab's volumes")
    if settings.state_dir.exists():
        shutil.rmtree(settings.state_dir)
        removed.append(str(settings.state_dir))
    return removed
