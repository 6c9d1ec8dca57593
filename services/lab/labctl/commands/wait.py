"""`python -m labctl wait`: wait until the compose lab is ready (`up --wait` for Compose v1)."""
from __future__ import annotations

import argparse

from labctl import settings as lab


def run(_settings: lab.LabSettings, _args: argparse.Namespace) -> int:
    from labctl import compose

    return compose.wait_ready()
