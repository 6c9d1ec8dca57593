"""Scratch venvs holding one boto3 each, and the client run made with them.

The compatibility suite calls the lab from SDKs the project's own venv does not have: each
version gets a venv of its own under the lab's cache (`$LAB_CACHE_DIR` or
`~/.cache/clickstream-lab`, kept by `make reset`), built once by pip from PyPI and reused while
its pins are unchanged. The calls run in a subprocess of that venv (`client/run.py`, boto3 only),
so what is tested is exactly that SDK's serialization and parsing.
"""
from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

CLIENT = Path(__file__).resolve().parent / "client" / "run.py"
REPO = Path(__file__).resolve().parents[2]

# The SDKs the suite runs, each for its reason:
# pyproject.toml's `boto3>=1.40.19`: the oldest the lab supports. 1.40.18 and older ignore the
# "HTTP/1.1 100" (no reason phrase) of LocalStack's hypercorn gateway, so every S3 upload fails
# (ConnectionClosedError; botocore#3455, fixed in 1.40.19).
OLDEST_SUPPORTED = "1.40.19"
NEWEST_PINNED = "1.44.18"     # the newest boto3/botocore on PyPI on 2026-12-06, the first with Athena in rest-json


def cache_dir() -> Path:
    configured = os.environ.get("LAB_CACHE_DIR")
    return Path(configured).expanduser() if configured else Path.home() / ".cache" / "clickstream-lab"


def localstack_botocore(localstack_venv: Path) -> str:
    """The botocore version LocalStack's own venv parses with (1.42.54 for LocalStack 4.14.0)."""
    out = subprocess.run([str(localstack_venv / "bin" / "python"), "-c",
                          "import botocore; print(botocore.__version__)"],
                         capture_output=True, text=True, check=True)
    return out.stdout.strip()


def pinned(version: str) -> list[str]:
    """boto3 and botocore of one version (they are released with the same numbers)."""
    return [f"boto3=={version}", f"botocore=={version}"]


def _pip_install(python: Path, requirements: list[str], upgrade: bool = False) -> None:
    args = [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    subprocess.run(args + (["--upgrade"] if upgrade else []) + requirements, check=True, timeout=600)


def ensure_venv(name: str, requirements: list[str], upgrade: bool = False) -> Path:
    """The Python of the scratch venv `name` with `requirements` installed. Built when missing or
    when its pins changed; `upgrade=True` asks PyPI again every time (the newest boto3). A lock
    file keeps parallel test workers from building the same venv at once."""
    root = cache_dir() / "sdk-venvs"
    root.mkdir(parents=True, exist_ok=True)
    venv, stamp = root / name, root / name / ".installed"
    python = venv / "bin" / "python"
    with open(root / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        wanted = "\n".join(requirements)
        if not stamp.exists() or stamp.read_text() != wanted:
            shutil.rmtree(venv, ignore_errors=True)
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
            _pip_install(python, requirements)
            stamp.write_text(wanted)
        elif upgrade:
            _pip_install(python, requirements, upgrade=True)
    return python


def run_calls(python: Path, endpoint: str, only: str | None = None, timeout: float = 900) -> dict:
    """The client run's document: {boto3, botocore, protocols, calls: [{service, operation, ok, error}]}."""
    args = [str(python), str(CLIENT), "--endpoint", endpoint] + (["--only", only] if only else [])
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    done = subprocess.run(args, capture_output=True, text=True, timeout=timeout, env=env, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{CLIENT.name} ended {done.returncode}:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout)


def failures(document: dict) -> list[str]:
    """One line per failing call: `service Operation: error`."""
    return [f"{c['service']} {c['operation']}: {c.get('error', '')}" for c in document["calls"] if not c["ok"]]
