"""A lab with a Trino engine: a native LocalStack whose Athena knows a Trino (LAB_TRINO_URL)
and a Trino 476 coordinator reading that LocalStack's Glue and S3, with a bucket, a Glue
database and two work groups, `on_duckdb` and `on_trino` (tag `lab:engine`).

tests/conftest.py's session fixture `trino_lab` starts one per session (per xdist worker) the
first time a test asks for it: the differential suite (tests/athena_differential) and the
Athena client suites on a Trino work group (tests/athena/conftest.py's `engine`) share it, as
the JVM takes one to three minutes to start on this project's machines."""
from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tests.conftest import LocalStackInstance

ENGINE_TAG = "lab:engine"
WORK_GROUPS = {"duckdb": "on_duckdb", "trino": "on_trino"}


@dataclass
class TrinoLab:
    localstack: LocalStackInstance
    trino_url: str
    bucket: str
    database: str
    output: str
    trino_ready_s: float
    trino_rss_mb: float
    notes: dict = field(default_factory=dict)

    def client(self, service: str):
        return self.localstack.client(service)


def missing() -> str | None:
    """Why a Trino lab cannot start here, or None."""
    from labctl import trino_server

    if not (trino_server.install_dir() / ".installed").is_file():
        return f"Trino {trino_server.VERSION} is not installed: run `make trino`"
    return None


@contextmanager
def running(base: Path, trino_port: int, localstack: LocalStackInstance) -> Iterator[TrinoLab]:
    """Starts `localstack` (made with LAB_TRINO_URL = http://127.0.0.1:<trino_port>) and the
    Trino coordinator; yields the lab, stops both."""
    from labctl import trino_server

    trino_url = f"http://127.0.0.1:{trino_port}"
    localstack.start()
    cfg = trino_server.TrinoConfig(base_dir=base / "trino", port=trino_port, aws_endpoint=localstack.url)
    proc = None
    try:
        proc = trino_server.start(cfg, base / "trino.log")
        try:
            ready = trino_server.wait_ready(trino_url, proc, timeout=300)
        except trino_server.TrinoError:
            print((base / "trino.log").read_text(errors="replace")[-5000:])
            raise
        import psutil

        rss = psutil.Process(proc.pid).memory_info().rss / 2**20
        suffix = uuid.uuid4().hex[:8]
        bucket, database = f"diff-{suffix}", f"diff_{suffix}"
        lab = TrinoLab(localstack, trino_url, bucket, database, f"s3://{bucket}/athena-results/", ready, rss)
        athena = localstack.client("athena")
        localstack.client("s3").create_bucket(Bucket=bucket)
        localstack.client("glue").create_database(DatabaseInput={"Name": database})
        for engine, work_group in WORK_GROUPS.items():
            athena.create_work_group(Name=work_group, Tags=[{"Key": ENGINE_TAG, "Value": engine}],
                                     Configuration={"ResultConfiguration": {"OutputLocation": lab.output}})
        yield lab
    finally:
        if proc is not None:
            trino_server.stop(proc)
        localstack.stop()
