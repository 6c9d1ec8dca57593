"""Runs the compatibility calls with whatever boto3 this Python has, against one endpoint, and
prints a JSON document: the boto3 and botocore versions and every call made with its outcome.

    python run.py --endpoint http://127.0.0.1:4566 [--only athena|smoke]

Started by tests/compat (in each scratch venv) and by `make compat`; it needs only boto3.
"""
from __future__ import annotations

import argparse
import json
import sys

import athena_calls
import boto3
import botocore
import smoke_calls
from botocore.config import Config
from record import Record


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--only", choices=("athena", "smoke"))
    args = parser.parse_args(argv)
    # no retries: a failing call shows at once, as itself
    config = Config(retries={"max_attempts": 1, "mode": "standard"}, read_timeout=120)

    def clients(service: str):
        return boto3.client(service, endpoint_url=args.endpoint, region_name="us-east-1",
                            aws_access_key_id="test", aws_secret_access_key="test", config=config)

    rec = Record()
    if args.only in (None, "athena"):
        athena_calls.run_all(rec, clients)
    if args.only in (None, "smoke"):
        smoke_calls.run_all(rec, clients)
    json.dump({"boto3": boto3.__version__, "botocore": botocore.__version__,
               "protocols": {s: clients(s).meta.service_model.protocol
                             for s in ("athena", "glue", "s3", "lambda", "iam")},
               "calls": rec.calls}, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
