"""A CLI that just works: `make env` prints what an attendee's shell needs, and with nothing
else (no ~/.aws: HOME is an empty folder; PATH only the system's) the project's `aws` (CLI v1)
and `awslocal` talk to the lab's LocalStack; `make shell` is a shell with the same variables.
Against a native LocalStack of the test's own (LAB_LOCALSTACK_PORT)."""
from __future__ import annotations

import json
import subprocess
import uuid

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.localstack

SYSTEM_PATH = "/usr/local/bin:/usr/bin:/bin"


def bare_env(localstack, home) -> dict[str, str]:
    """What an attendee's fresh terminal has: no AWS_* variables, no ~/.aws."""
    return {"PATH": SYSTEM_PATH, "HOME": str(home), "LAB_LOCALSTACK_PORT": str(localstack.cfg.port),
            "LAB_STATE_DIR": str(home / "lab")}


def in_lab_env(localstack, home, script: str) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "-c", f'eval "$(make -s env)" && {script}'], cwd=REPO, env=bare_env(localstack, home),
                          capture_output=True, text=True, timeout=120, check=False)


def test_make_env_prints_the_export_lines(localstack, tmp_path):
    done = subprocess.run(["make", "-s", "env"], cwd=REPO, env=bare_env(localstack, tmp_path),
                          capture_output=True, text=True, timeout=120, check=True)
    lines = done.stdout.splitlines()
    assert all(line.startswith("export ") for line in lines), done.stdout
    assert f"export AWS_ENDPOINT_URL={localstack.url}" in lines
    assert "export AWS_DEFAULT_REGION=us-east-1" in lines
    assert f'export PATH="{REPO / ".venv" / "bin"}:$PATH"' in lines


def test_aws_cli_with_only_make_envs_variables(localstack, tmp_path):
    bucket = f"attendee-{uuid.uuid4().hex[:8]}"
    done = in_lab_env(localstack, tmp_path, f"aws --version && aws s3 mb s3://{bucket} && aws s3api list-buckets "
                                           "&& aws sts get-caller-identity")
    assert done.returncode == 0, done.stderr
    assert "aws-cli/1." in done.stdout + done.stderr    # v1: the only AWS CLI on PyPI
    assert bucket in done.stdout and '"Account": "000000000000"' in done.stdout
    assert not (tmp_path / ".aws").exists()
    assert bucket in [b["Name"] for b in localstack.client("s3").list_buckets()["Buckets"]]


def test_awslocal_with_only_make_envs_variables(localstack, tmp_path):
    stream = f"attendee-{uuid.uuid4().hex[:8]}"
    done = in_lab_env(localstack, tmp_path, f"awslocal kinesis create-stream --stream-name {stream} --shard-count 1 "
                                           "&& awslocal kinesis list-streams")
    assert done.returncode == 0, done.stderr
    assert stream in json.loads(done.stdout)["StreamNames"]
    assert "deprecated" not in done.stderr     # awslocal 0.23's banner is off in `make env`


def test_make_shell_is_a_shell_with_the_same_variables(localstack, tmp_path):
    bucket = f"shell-{uuid.uuid4().hex[:8]}"
    env = {**bare_env(localstack, tmp_path), "SHELL": "/bin/bash"}
    done = subprocess.run(["make", "-s", "shell"], cwd=REPO, env=env, capture_output=True, text=True, timeout=120,
                          check=False, input=f'aws s3 mb s3://{bucket}\necho "endpoint=$AWS_ENDPOINT_URL"\nexit\n')
    assert done.returncode == 0, done.stderr
    assert f"talk to {localstack.url}" in done.stdout
    assert f"endpoint={localstack.url}" in done.stdout and f"make_bucket: {bucket}" in done.stdout
