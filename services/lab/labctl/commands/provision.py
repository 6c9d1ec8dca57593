"""`python -m labctl provision`: create or update the lab's AWS resources (idempotent); the
compose `setup` service and the native LocalStack's ready.d hook run it."""
from __future__ import annotations

import argparse
from pathlib import Path

from labctl import provision
from labctl import settings as lab


def run(settings: lab.LabSettings, args: argparse.Namespace) -> int:
    overrides = {key: value for key, value in (
        ("localstack_url", args.localstack_url), ("opensearch_url", args.opensearch_url),
        ("lambda_zip", Path(args.lambda_zip) if args.lambda_zip else None)) if value}
    provision.provision(provision.ProvisionTarget.from_settings(settings, **overrides))
    return 0
