"""`make compat`: the newest boto3 on PyPI today against the lab, for maintainers.

Installs (or upgrades to) the newest boto3 and botocore from PyPI in a scratch venv under the
lab's cache, starts a native LocalStack with the lab's extension on a free loopback port, runs
the compatibility calls (client/run.py: every Athena operation the tests use, a smoke of each
other service), prints the versions and every failing operation, and exits 1 when one failed.
Not part of `make test`: its answer changes with PyPI, where the suite's SDKs are pinned.

    python -m tests.compat.newest [--only athena|smoke]
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from tests.compat import sdk_venvs
from tests.conftest import LOCALSTACK_VENV, LocalStackInstance


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="the newest boto3 from PyPI against the lab")
    parser.add_argument("--only", choices=("athena", "smoke"))
    args = parser.parse_args(argv)
    python = sdk_venvs.ensure_venv("boto3-newest", ["boto3", "botocore"], upgrade=True)
    with tempfile.TemporaryDirectory(prefix="lab-compat-") as tmp:
        localstack = LocalStackInstance(Path(tmp) / "volume", Path(tmp) / "localstack.log")
        localstack.start()
        try:
            document = sdk_venvs.run_calls(python, localstack.url, args.only)
        finally:
            localstack.stop()
    print(f"boto3 {document['boto3']}, botocore {document['botocore']} (LocalStack's venv: "
          f"botocore {sdk_venvs.localstack_botocore(LOCALSTACK_VENV)}); protocols: "
          + ", ".join(f"{s} {p}" for s, p in document["protocols"].items()))
    failing = sdk_venvs.failures(document)
    print(f"{len(document['calls'])} calls, {len(failing)} failing")
    for line in failing:
        print(f"  FAILED {line}")
    return 1 if failing else 0


if __name__ == "__main__":
    sys.exit(main())
