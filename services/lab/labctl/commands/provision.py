"""`python -m labctl provision`: create or update the lab's AWS resources (idempotent); the
compose `setup` service and the native LocalStack's ready.d hook run it."""
from __future__ import annotations

import argparse
from pathlib import Path

from labctl import geoip, provision
from labctl import settings as lab


def run(settings: lab.LabSettings, args: argparse.Namespace) -> int:
    provision.provision(provision.ProvisionTarget(
        localstack_url=args.localstack_url or settings.localstack_url,
        opensearch_url=args.opensearch_url or settings.opensearch_url,
        lambda_zip=Path(args.lambda_zip) if args.lambda_zip else settings.lambda_zip,
        buffer_interval=settings.buffer_interval, buffer_size_mb=settings.buffer_size_mb,
        retry_duration=settings.retry_duration, geoip_files=geoip.provision_files(settings),
    ))
    return 0
