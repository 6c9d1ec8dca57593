"""LocalStack's ready.d hook of the native lab: provision the lab at every LocalStack start.

Community LocalStack keeps S3 buckets and Lambda functions in memory, so a LocalStack restart
(a crash, or the fault tests) would leave the lab's Firehose delivering to a bucket that no
longer exists; the hook runs `make up`'s provisioning each time LocalStack is ready.
"""
from __future__ import annotations

import shlex
import sys
from pathlib import Path

import requests

from labctl import settings as lab
from labctl.settings import LabSettings


def write(settings: LabSettings, localstack_dir: Path) -> Path:
    """Write the hook into the native LocalStack's folder (`localstack_dir`); its path."""
    hook = _hook_path(localstack_dir)
    hook.parent.mkdir(parents=True, exist_ok=True)
    env = {
        "LAB_STATE_DIR": str(settings.state_dir), "LAB_BUFFER_INTERVAL": str(settings.buffer_interval),
        "LAB_BUFFER_SIZE_MB": str(settings.buffer_size_mb), "LAB_RETRY_DURATION": str(settings.retry_duration),
        "PYTHONPATH": "",
        "LAB_GEOIP_DATABASE": "off" if not settings.geoip_enabled else str(settings.geoip_database or ""),
        "LAB_LAMBDA_HANDLER": settings.lambda_handler, "LAB_BACKUP_MODE": settings.backup_mode,
    }
    argv = [sys.executable, "-m", "labctl", "provision", "--localstack-url", settings.localstack_url,
            "--opensearch-url", settings.opensearch_url, "--lambda-zip", str(settings.lambda_zip)]
    hook.write_text("#!/bin/sh\n# Written by labctl (native.py): re-provision the lab at every LocalStack start.\n"
                    f"cd {shlex.quote(str(lab.REPO_ROOT))} || exit 1\n"
                    + "exec env " + " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items()) + " "
                    + " ".join(shlex.quote(a) for a in argv) + "\n")
    hook.chmod(0o755)
    return hook


def remove(localstack_dir: Path) -> None:
    """No hook: an empty lab (LAB_PROVISION=none) in a state folder a provisioned lab used."""
    _hook_path(localstack_dir).unlink(missing_ok=True)


def _hook_path(localstack_dir: Path) -> Path:
    return localstack_dir / "fs" / "etc" / "localstack" / "init" / "ready.d" / "10-provision.sh"


def state(settings: LabSettings) -> str | None:
    """The ready.d hook's state as LocalStack reports it (SUCCESSFUL, ERROR, RUNNING...)."""
    try:
        data = requests.get(f"{settings.localstack_url}/_localstack/init/ready", timeout=3).json()
    except (requests.RequestException, ValueError):
        return None
    for script in data.get("scripts", []):
        if script.get("name", "").endswith("10-provision.sh"):
            return script.get("state")
    return None
