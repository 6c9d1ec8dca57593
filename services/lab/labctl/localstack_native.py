"""Native (Docker-less) LocalStack 4.14.0: its environment, start, readiness and stop.

One place builds LocalStack's settings so that `make native-localstack`, the
native lab supervisor and the test fixtures all run it the same way:
host mode (OVERRIDE_IN_DOCKER=0, which also keeps it from wiping
/tmp/localstack), loopback only, the lab's Firehose provider
(PROVIDER_OVERRIDE_FIREHOSE=lab; Glue, Athena, Kinesis Analytics and Kinesis likewise)
and the host Lambda executor (LAMBDA_RUNTIME_EXECUTOR=host), state under one directory.
"""
from __future__ import annotations

import logging
import os
import signal
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import requests

from labctl.errors import LabStartError, MissingPrerequisite
from labctl.settings import REPO_ROOT
from labctl.waiting import wait_until

LOG = logging.getLogger(__name__)

SERVICES = "s3,kinesis,lambda,firehose,iam,sts,logs,glue,athena,cloudformation,kinesisanalytics,opensearch,es"


@dataclass(frozen=True)
class NativeLocalStackConfig:
    """Where and how one native LocalStack instance runs."""

    venv: Path                      # the Python 3.13 venv made by services/localstack/native/install.sh
    state_dir: Path                 # LOCALSTACK_VOLUME_DIR; FILESYSTEM_ROOT is state_dir/fs
    port: int = 4566
    bind_address: str = "127.0.0.1"
    firehose_provider: str = "lab"  # "default" selects LocalStack's own Firehose (for comparisons)
    lambda_executor: str = "host"   # "docker" keeps LocalStack's own executor
    opensearch_url: str | None = None   # the lab's OpenSearch: every domain's endpoint (LAB_OPENSEARCH_URL)
    extra_env: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://{self.bind_address}:{self.port}"

    @property
    def python(self) -> Path:
        return self.venv / "bin" / "python"


def environment(cfg: NativeLocalStackConfig) -> dict[str, str]:
    """The full process environment for LocalStack (inherits PATH and friends)."""
    fs_root = cfg.state_dir / "fs"
    _share_package_cache(cfg.venv, fs_root)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "LOCALSTACK_"))}
    env.update(
        OVERRIDE_IN_DOCKER="0",
        GATEWAY_LISTEN=f"{cfg.bind_address}:{cfg.port}",
        LOCALSTACK_HOST=f"{cfg.bind_address}:{cfg.port}",
        SERVICES=SERVICES,
        EAGER_SERVICE_LOADING="0",
        DISABLE_EVENTS="1",
        DNS_ADDRESS="0",  # no DNS server: nothing to resolve offline, and no port 53
        # The default (twisted) gateway binds IPv4 on 0.0.0.0 whatever host GATEWAY_LISTEN
        # names; hypercorn binds the address it is given (services/lab/README.md, Security defaults).
        GATEWAY_SERVER="hypercorn",
        SKIP_SSL_CERT_DOWNLOAD="1",
        LOCALSTACK_VOLUME_DIR=str(cfg.state_dir),
        FILESYSTEM_ROOT=str(fs_root),
        LAMBDA_RUNTIME_EXECUTOR=cfg.lambda_executor,
        PYTHONUNBUFFERED="1",
        # kinesis-mock (Node.js; LocalStack's own Kinesis, only when PROVIDER_OVERRIDE_KINESIS=default
        # is asked for a comparison) has no listen-address setting: a preload makes its
        # "all interfaces" listen use the lab's bind address.
        LAB_BIND_ADDRESS=cfg.bind_address,
        NODE_OPTIONS=_node_options(),
    )
    if cfg.firehose_provider != "default":
        env["PROVIDER_OVERRIDE_FIREHOSE"] = cfg.firehose_provider
    env["PROVIDER_OVERRIDE_GLUE"] = "lab"     # LocalStack community has no Glue: the lab's provider
    env["PROVIDER_OVERRIDE_ATHENA"] = "lab"   # nor Athena
    env["PROVIDER_OVERRIDE_KINESISANALYTICS"] = "lab"   # nor Kinesis Analytics
    # A CloudFormation resource type nobody here can create fails the stack (CREATE_FAILED,
    # with a reason naming the type) instead of LocalStack's default: CREATE_COMPLETE with a
    # placeholder whose Ref is "unknown". The lab's extension provides the Glue and Athena
    # types and answers which types are deployable without calling home
    # (lab_localstack/cloudformation/support_catalog.py).
    env["CFN_IGNORE_UNSUPPORTED_RESOURCE_TYPES"] = "0"
    # LocalStack's CloudFormation plus AWS's rollback of a failed create (ROLLBACK_COMPLETE)
    env["PROVIDER_OVERRIDE_CLOUDFORMATION"] = "lab"
    # the lab's own Kinesis, in LocalStack's process, records fsync'd per shard (lab_localstack/kinesis/)
    env["PROVIDER_OVERRIDE_KINESIS"] = "lab"
    # Durability (issue 21): S3 objects and metadata on disk (lab_localstack/s3/)
    env["PROVIDER_OVERRIDE_S3"] = "lab"
    env["PROVIDER_OVERRIDE_LAMBDA"] = "lab"   # functions saved and restored (lab_localstack/lambda_/)
    # CreateDomain answered with the lab's own OpenSearch as the endpoint (lab_localstack/opensearch/);
    # LocalStack's own opensearch/es providers would download an OpenSearch per domain
    env["PROVIDER_OVERRIDE_OPENSEARCH"] = "lab"
    env["PROVIDER_OVERRIDE_ES"] = "lab"
    if cfg.opensearch_url:
        env["LAB_OPENSEARCH_URL"] = cfg.opensearch_url
    env.update(cfg.extra_env)
    return env


NODE_BIND_PRELOAD = REPO_ROOT / "services" / "localstack" / "native" / "listen-on-bind-address.js"
# kinesis-mock ends when LocalStack dies, so no orphan keeps rewriting the lab's Kinesis state
NODE_EXIT_WITH_PARENT = REPO_ROOT / "services" / "localstack" / "native" / "exit-with-parent.js"


def _node_options() -> str:
    options = os.environ.get("NODE_OPTIONS", "")
    for path in (NODE_BIND_PRELOAD, NODE_EXIT_WITH_PARENT):
        preload = f"--require={path}"
        if preload not in options:
            options = f"{options} {preload}".strip()
    return options


def command(cfg: NativeLocalStackConfig) -> list[str]:
    return [str(cfg.python), "-m", "localstack.runtime.main"]


def _share_package_cache(venv: Path, fs_root: Path) -> None:
    """Point LocalStack's lazily installed packages (kinesis-local via npm) at one
    cache beside the venv, so every instance does not install them again."""
    shared = venv / "localstack-var-libs"
    shared.mkdir(parents=True, exist_ok=True)
    link = fs_root / "var" / "lib" / "localstack" / "lib"
    link.parent.mkdir(parents=True, exist_ok=True)
    if not link.exists() and not link.is_symlink():
        link.symlink_to(shared.resolve(), target_is_directory=True)


def is_ready(url: str, timeout: float = 2.0) -> bool:
    """True when LocalStack's gateway answers its health endpoint."""
    try:
        return requests.get(f"{url}/_localstack/health", timeout=timeout).ok
    except requests.RequestException:
        return False


def wait_ready(url: str, proc: subprocess.Popen | None = None, timeout: float = 120.0) -> None:
    """Block until LocalStack is ready; raise with a clear message otherwise."""
    def ready() -> bool:
        if proc is not None and proc.poll() is not None:
            raise LabStartError(f"LocalStack exited with code {proc.returncode} before it was ready")
        return is_ready(url)

    wait_until(ready, timeout, 0.3, what=f"LocalStack at {url} to be ready")


def start(cfg: NativeLocalStackConfig, log_file: Path) -> subprocess.Popen:
    """Start LocalStack in its own process group, logging to log_file; returns at once."""
    if not cfg.python.exists():
        raise MissingPrerequisite(f"no LocalStack venv at {cfg.venv}: run `make localstack-venv` first")
    cfg.state_dir.mkdir(parents=True, exist_ok=True)
    log_file.parent.mkdir(parents=True, exist_ok=True)
    LOG.info("starting native LocalStack on %s (state %s)", cfg.url, cfg.state_dir)
    with open(log_file, "ab") as log:
        return subprocess.Popen(
            command(cfg), env=environment(cfg), stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, cwd=cfg.state_dir, start_new_session=True,
        )


def stop(proc: subprocess.Popen, timeout: float = 20.0) -> None:
    """SIGTERM LocalStack's process group (it stops its Lambda runtimes), then SIGKILL."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)
    except ProcessLookupError:
        pass


def stop_standalone(state_dir: Path) -> bool:
    """Stop the LocalStack that `make native-localstack` started (pid in
    <state_dir>/localstack.pid), if it runs; True if one was stopped."""
    pid_file = state_dir / "localstack.pid"
    try:
        pid = int(pid_file.read_text())
    except (OSError, ValueError):
        return False
    pid_file.unlink(missing_ok=True)
    try:
        if "localstack" not in " ".join(psutil.Process(pid).cmdline()):
            return False  # the pid was reused by something else: not ours
        os.killpg(pid, signal.SIGTERM)
        psutil.Process(pid).wait(timeout=30)
    except psutil.TimeoutExpired:
        os.killpg(pid, signal.SIGKILL)
    except (psutil.Error, ProcessLookupError):
        return False
    return True
