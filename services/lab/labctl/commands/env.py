"""`make env` / `make shell`: the environment an attendee's AWS CLI needs to talk to the lab.

Prints `export` lines for `eval "$(make -s env)"`: the project venv's bin/ first on PATH (the
pinned `aws` and `awslocal`), region us-east-1, LocalStack's test keys, AWS_ENDPOINT_URL = the
lab's LocalStack (the AWS CLI since botocore 1.31, boto3 and awslocal all read it), and
AWS_PAGER empty (CLI v2 pages output through `less` by default; v1 never does). No ~/.aws is
needed or written.
"""
from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from labctl import settings as lab


def variables(settings: lab.LabSettings) -> dict[str, str]:
    """The variables, in the order they are printed."""
    venv_bin = Path(sys.executable).parent
    return {
        "PATH": f"{venv_bin}:$PATH",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_ENDPOINT_URL": settings.localstack_url,
        "AWS_PAGER": "",
        "DISABLE_DEPRECATION_NOTICE": "1",   # awslocal 0.23's banner pointing at LocalStack's paid CLI
    }


def export_lines(settings: lab.LabSettings) -> list[str]:
    lines = []
    for name, value in variables(settings).items():
        if name == "PATH":   # $PATH must expand when the line is eval'd
            lines.append(f'export PATH="{value}"')
        else:
            lines.append(f"export {name}={shlex.quote(value)}")
    return lines


def run(settings: lab.LabSettings, args: argparse.Namespace) -> int:
    print("\n".join(export_lines(settings)))
    return 0
