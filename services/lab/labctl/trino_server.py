"""A Trino 476 coordinator for the lab's Athena (engine version 3 is Trino): install, configure,
start on loopback, wait until it answers, stop.

`make trino` fetches the pinned server tarball and Hive plugin zip (services/jvm/trino/, 432 MB)
into the lab's cache and unpacks them here (`python -m labctl.trino_server install`). The
coordinator is one node (it schedules work on itself) whose Hive connector, named
`awsdatacatalog` as Athena names its catalog, reads the lab's Glue Data Catalog and S3 through
LocalStack's endpoint. Trino 476 needs Java 24 or newer: `LAB_TRINO_JAVA_HOME`, else the newest
JDK under /usr/lib/jvm that is new enough.
"""
from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import requests

from labctl import settings as lab
from labctl.errors import LabError, MissingPrerequisite

LOG = logging.getLogger(__name__)
REPO_ROOT = Path(__file__).resolve().parents[3]
VERSION = "476"
MIN_JAVA = 24
CATALOG = "awsdatacatalog"


class TrinoError(LabError):
    """Trino is not installed, did not start, or stopped."""


def install_dir() -> Path:
    return lab.cache_root() / "trino" / f"trino-server-{VERSION}"


def java_major(java_home: Path) -> int:
    """The feature version from a JDK's `release` file (0 when unreadable)."""
    try:
        text = (java_home / "release").read_text()
    except OSError:
        return 0
    match = re.search(r'^JAVA_VERSION="(\d+)', text, re.MULTILINE)
    return int(match.group(1)) if match else 0


def find_java(jvm_root: Path = Path("/usr/lib/jvm")) -> Path:
    """The `java` executable Trino runs on (Java 24+), or MissingPrerequisite naming the fix."""
    configured = os.environ.get("LAB_TRINO_JAVA_HOME")
    candidates = [Path(configured)] if configured else sorted(
        (p for p in jvm_root.glob("*") if p.is_dir() and not p.is_symlink()), key=java_major, reverse=True)
    for home in candidates:
        if java_major(home) >= MIN_JAVA and (home / "bin" / "java").is_file():
            return home / "bin" / "java"
    where = f"LAB_TRINO_JAVA_HOME={configured}" if configured else f"under {jvm_root}"
    raise MissingPrerequisite(f"Trino {VERSION} needs Java {MIN_JAVA} or newer and none was found {where}: "
                              "install one (e.g. Temurin 25) or set LAB_TRINO_JAVA_HOME to its folder")


def _fetched_dir() -> Path:
    fetch = REPO_ROOT / "services" / "jvm" / "fetch.py"
    done = subprocess.run([sys.executable, str(fetch), "trino"], text=True, check=False)
    if done.returncode:
        raise TrinoError("Trino's artefacts could not be fetched (see above)")
    out = subprocess.run([sys.executable, str(fetch), "--print-dir", "trino"], capture_output=True, text=True,
                         check=False)
    if out.returncode:
        raise TrinoError(out.stderr.strip())
    return Path(out.stdout.strip())


def install() -> Path:
    """Fetch (verified against services/jvm/trino/sha256.lock) and unpack: the server with the
    Hive plugin under plugin/hive/. Does nothing when already unpacked."""
    find_java()
    target = install_dir()
    stamp = target / ".installed"
    if stamp.is_file():
        LOG.info("Trino %s already installed in %s (%.0f MB)", VERSION, target, _size(target) / 1e6)
        return target
    fetched = _fetched_dir()
    staging = target.with_name(target.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    with tarfile.open(fetched / f"trino-server-core-{VERSION}.tar.gz") as archive:
        archive.extractall(staging, filter="tar")
    server = staging / f"trino-server-core-{VERSION}"
    with zipfile.ZipFile(fetched / f"trino-hive-{VERSION}.zip") as archive:
        archive.extractall(staging)
    (staging / f"trino-hive-{VERSION}").rename(server / "plugin" / "hive")
    shutil.rmtree(target, ignore_errors=True)
    server.rename(target)
    shutil.rmtree(staging, ignore_errors=True)
    (target / ".installed").write_text(VERSION + "\n")
    LOG.info("Trino %s installed in %s (%.0f MB unpacked)", VERSION, target, _size(target) / 1e6)
    return target


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


@dataclass(frozen=True)
class TrinoConfig:
    """One coordinator: where it keeps its files, its port, and the LocalStack it reads."""

    base_dir: Path                 # etc/ and data/ are written here
    port: int
    aws_endpoint: str              # LocalStack's URL: Glue and S3
    region: str = "us-east-1"
    heap: str = "1G"
    bind_address: str = "127.0.0.1"

    @property
    def url(self) -> str:
        return f"http://{self.bind_address}:{self.port}"


def _properties(values: dict[str, str]) -> str:
    return "".join(f"{k}={v}\n" for k, v in values.items())


def write_config(cfg: TrinoConfig, server: Path) -> Path:
    """etc/ for one loopback coordinator; returns the etc folder."""
    etc, data = cfg.base_dir / "etc", cfg.base_dir / "data"
    (etc / "catalog").mkdir(parents=True, exist_ok=True)
    data.mkdir(parents=True, exist_ok=True)
    (etc / "node.properties").write_text(_properties({
        "node.environment": "lab", "node.id": "lab-coordinator", "node.data-dir": str(data),
        "node.bind-ip": cfg.bind_address, "node.internal-address": cfg.bind_address}))
    (etc / "config.properties").write_text(_properties({
        "coordinator": "true", "node-scheduler.include-coordinator": "true",
        "http-server.http.port": str(cfg.port), "discovery.uri": cfg.url,
        "plugin.dir": str(server / "plugin"), "catalog.config-dir": str(etc / "catalog"),
        "query.max-memory": "512MB", "query.max-memory-per-node": "512MB",
        "task.concurrency": "2", "http-server.process-forwarded": "false"}))
    (etc / "jvm.config").write_text("\n".join([
        "-server", f"-Xmx{cfg.heap}", "-XX:+UseG1GC", "-XX:+ExitOnOutOfMemoryError",
        "-XX:ReservedCodeCacheSize=256M", "-Djdk.attach.allowAttachSelf=true",
        "-Dfile.encoding=UTF-8", "-Duser.timezone=UTC",
    ]) + "\n")
    (etc / "log.properties").write_text("io.trino=INFO\n")
    # The Hive connector over the lab's Glue and S3; external tables writable, as in Athena
    (etc / "catalog" / f"{CATALOG}.properties").write_text(_properties({
        "connector.name": "hive", "hive.metastore": "glue",
        "hive.metastore.glue.region": cfg.region, "hive.metastore.glue.endpoint-url": cfg.aws_endpoint,
        "hive.metastore.glue.aws-access-key": "test", "hive.metastore.glue.aws-secret-key": "test",
        "hive.non-managed-table-writes-enabled": "true", "hive.non-managed-table-creates-enabled": "true",
        # Athena writes no column statistics to Glue on CTAS/INSERT
        "hive.collect-column-statistics-on-write": "false",
        "fs.native-s3.enabled": "true", "s3.endpoint": cfg.aws_endpoint, "s3.region": cfg.region,
        "s3.path-style-access": "true", "s3.aws-access-key": "test", "s3.aws-secret-key": "test"}))
    return etc


def command(cfg: TrinoConfig, server: Path, java: Path) -> list[str]:
    etc = cfg.base_dir / "etc"
    jvm = [line.strip() for line in (etc / "jvm.config").read_text().splitlines() if line.strip()]
    # as Trino's launcher does: node.properties as system properties, config.properties by path
    node = [f"-D{line.strip()}" for line in (etc / "node.properties").read_text().splitlines() if "=" in line]
    return [str(java), *jvm, *node, f"-Dconfig={etc / 'config.properties'}",
            f"-Dlog.levels-file={etc / 'log.properties'}",
            "-cp", str(server / "lib" / "*"), "io.trino.server.TrinoServer"]


def start(cfg: TrinoConfig, log_file: Path, server: Path | None = None) -> subprocess.Popen:
    """Starts the coordinator (configured by write_config) in the background."""
    server = server or install_dir()
    if not (server / ".installed").is_file():
        raise MissingPrerequisite(f"Trino {VERSION} is not installed in {server}: run `make trino`")
    java = find_java()
    write_config(cfg, server)
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with log_file.open("ab") as log:
        return subprocess.Popen(command(cfg, server, java), cwd=cfg.base_dir, stdout=log,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)


def wait_ready(url: str, proc: subprocess.Popen | None = None, timeout: float = 180) -> float:
    """Seconds until /v1/info says the server has finished starting."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if proc is not None and proc.poll() is not None:
            raise TrinoError(f"Trino exited with code {proc.returncode} while starting")
        try:
            if requests.get(f"{url}/v1/info", timeout=2).json().get("starting") is False:
                return time.monotonic() - started
        except (requests.RequestException, ValueError):
            pass
        time.sleep(0.5)
    raise TrinoError(f"Trino at {url} not ready after {timeout:.0f} s")


def stop(proc: subprocess.Popen, timeout: float = 30) -> None:
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


def serve(port: int, aws_endpoint: str, base_dir: Path) -> int:
    """Runs a coordinator in the foreground until Ctrl-C (`make trino-up`)."""
    cfg = TrinoConfig(base_dir=base_dir, port=port, aws_endpoint=aws_endpoint)
    proc = start(cfg, base_dir / "trino.log")
    try:
        ready = wait_ready(cfg.url, proc, timeout=600)
        LOG.info("Trino %s answers at %s after %.0f s (log: %s); start LocalStack with LAB_TRINO_URL=%s and tag "
                 "a work group lab:engine=trino. Ctrl-C stops it.", VERSION, cfg.url, ready, base_dir / "trino.log",
                 cfg.url)
        proc.wait()
    except KeyboardInterrupt:
        pass
    finally:
        stop(proc)
    return 0


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("install", help="fetch (verified) and unpack Trino into the lab's cache")
    run = sub.add_parser("run", help="run a loopback coordinator in the foreground")
    run.add_argument("--port", type=int, default=int(os.environ.get("LAB_TRINO_PORT", "8089")))
    run.add_argument("--aws-endpoint", default=f"http://127.0.0.1:{os.environ.get('LAB_LOCALSTACK_PORT', '4566')}",
                     help="LocalStack's URL (Glue and S3)")
    run.add_argument("--dir", type=Path, default=Path(os.environ.get("LAB_STATE_DIR", ".lab")) / "trino")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="trino: %(message)s")
    try:
        if args.command == "install":
            install()
            return 0
        return serve(args.port, args.aws_endpoint, args.dir.resolve())
    except LabError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
