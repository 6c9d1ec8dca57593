"""The lab's one way to use a container engine through its API (Docker, or podman
serving the Docker API), with a time limit on every call.

Every call here ends within its limit: it returns, or raises EngineError naming
the call, the container and the limit. Nothing waits silently.

Why not the Docker SDK's `containers.run()`: it creates and starts the container,
then asks for its logs with `follow=True` and reads that stream until the engine
closes it. Podman 4.3's Docker API decides whether to follow by the container's
state when the request arrives and, for a running container, waits for the
container's `died` event from that moment on; a short container that dies between
that check and the subscription is followed forever (libpod's container_log.go;
podman issues #6531, #10596, #11461 describe the family). Measured on this
machine kind: about 1 call in 10 never returned. `run()` below never follows: it
waits for the exit (`wait`, bounded), then reads the finished logs, then removes.
"""
from __future__ import annotations

import contextlib
import io
import logging
import os
import tarfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from labctl.errors import LabError

LOG = logging.getLogger(__name__)

CALL_TIMEOUT_S = 30.0   # any single API call (ping, list, create, logs, remove, exec)
RUN_TIMEOUT_S = 120.0   # a short container, from start to exit
RUN_LABEL = "org.clickstream-lab.engine-run"  # on every container run() makes
# ... and the process that made it: the engine's storage is shared by every lab and test run
# on the machine, so "mine" is this label, not "made while I was running".
RUN_BY_LABEL = "org.clickstream-lab.engine-run.pid"
T = TypeVar("T")


class EngineError(LabError, RuntimeError):
    """An engine call failed or did not end within its time limit."""


@dataclass(frozen=True)
class RunResult:
    exit_code: int
    stdout: bytes
    stderr: bytes


@contextlib.contextmanager
def client(timeout: float = CALL_TIMEOUT_S) -> Iterator[Any]:
    """A Docker SDK client for DOCKER_HOST (or the default socket); its socket
    timeout bounds every read of every call made through it."""
    import docker  # the Docker SDK; only the compose runtime and its tests need it

    # from_env asks the engine for its API version: the first call, bounded too.
    where = os.environ.get("DOCKER_HOST") or "the default socket"
    sdk = bounded("connect", where, lambda: docker.from_env(timeout=max(1, int(timeout))), timeout)
    try:
        yield sdk
    finally:
        sdk.close()


def bounded(call: str, target: str, fn: Callable[[], T], timeout: float = CALL_TIMEOUT_S) -> T:
    """fn() within `timeout` seconds, else EngineError naming `call` and `target`.

    The socket timeout already bounds each read; this bounds the whole call (a
    stream that trickles, a connect that stalls). A call that overruns is left to
    its daemon thread, whose socket the caller's client closes.
    """
    outcome: dict[str, Any] = {}

    def target_fn() -> None:
        try:
            outcome["value"] = fn()
        except BaseException as error:  # noqa: BLE001 - re-raised in the caller's thread
            outcome["error"] = error

    worker = threading.Thread(target=target_fn, name=f"engine {call} {target}", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        raise EngineError(f"engine call {call} on {target} did not answer within {timeout:.0f}s")
    if "error" in outcome:
        error = outcome["error"]
        if isinstance(error, EngineError):
            raise error
        raise EngineError(f"engine call {call} on {target} failed: {error}") from error
    return outcome["value"]


def ping(timeout: float = 10.0) -> bool:
    """True when an engine (not just a CLI) answers."""
    try:
        with client(timeout) as sdk:
            return bool(bounded("ping", "the engine", sdk.ping, timeout))
    except EngineError:
        return False


def version(timeout: float = CALL_TIMEOUT_S) -> dict:
    with client(timeout) as sdk:
        return bounded("version", "the engine", sdk.version, timeout)


def is_podman(timeout: float = CALL_TIMEOUT_S) -> bool:
    """True when the engine is podman's Docker-API service."""
    return any("podman" in c.get("Name", "").lower() for c in version(timeout).get("Components", []))


def list_containers(label: str, include_stopped: bool = False, timeout: float = CALL_TIMEOUT_S) -> list[dict]:
    """Inspect data (`attrs`) of the containers carrying `label` ("key=value")."""
    with client(timeout) as sdk:
        found = bounded("list", f"containers labelled {label}",
                        lambda: sdk.containers.list(all=include_stopped, filters={"label": label}), timeout)
        return [c.attrs for c in found]


def logs(container_id: str, timestamps: bool = False, timeout: float = CALL_TIMEOUT_S) -> str:
    """What a container has logged so far (never follows)."""
    with client(timeout) as sdk:
        return bounded("logs", container_id[:12], lambda: sdk.api.logs(
            container_id, stdout=True, stderr=True, timestamps=timestamps, stream=False, follow=False),
            timeout).decode("utf-8", "replace")


EXEC_ATTEMPTS_ON_NO_OUTPUT = 3


def exec_output(container_id: str, command: list[str], timeout: float = CALL_TIMEOUT_S,
                stderr: bool = True) -> tuple[int, bytes]:
    """Exit code and output (stdout, and stderr unless `stderr` is False: output to parse) of a
    read-only `command` run in a running container. Podman 4.3 sometimes loses a short exec's output (the same attach race as
    `run()`'s: the process ends before the attach; measured 1 exec in about 150): a
    command that succeeded with no output is run again, up to EXEC_ATTEMPTS_ON_NO_OUTPUT
    times, so only read-only commands belong here."""
    with client(timeout) as sdk:
        def run() -> tuple[int, bytes]:
            code, output = sdk.containers.get(container_id).exec_run(command, stdout=True, stderr=stderr, demux=False)
            return code, output or b""

        for _attempt in range(EXEC_ATTEMPTS_ON_NO_OUTPUT):
            code, output = bounded(f"exec {command[0]}", container_id[:12], run, timeout)
            if code != 0 or output:
                break
        return code, output


def read_files(container_id: str, path: str, timeout: float = CALL_TIMEOUT_S) -> dict[str, bytes]:
    """The regular files at `path` (a file or a folder) in a container, by name, through the
    archive API: a plain tar over HTTP. Large outputs do not go through exec: podman 4.3's
    multiplexed exec stream has been seen, on a loaded machine, to leave frame headers inside
    the output (bytes 01 00 00 00 00 00 20 00 every 8 KiB)."""
    with client(timeout) as sdk:
        def fetch() -> bytes:
            chunks, _stat = sdk.containers.get(container_id).get_archive(path)
            return b"".join(chunks)

        archive = bounded(f"archive {path}", container_id[:12], fetch, timeout)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        return {member.name: tar.extractfile(member).read() for member in tar.getmembers() if member.isfile()}


def run(image: str, command: list[str], timeout: float = RUN_TIMEOUT_S, **create: Any) -> RunResult:
    """Run a short container to completion and remove it: create, start, wait
    (bounded), read the finished logs, remove. A container still running after
    `timeout` seconds is removed (killed) and EngineError says so. `create` goes to
    the SDK's `containers.create` (environment, volumes, working_dir, ...)."""
    labels = {**create.pop("labels", {}), RUN_LABEL: "true", RUN_BY_LABEL: str(os.getpid())}
    with client(CALL_TIMEOUT_S) as sdk:
        container = bounded("create", image, lambda: sdk.containers.create(
            image, command, detach=True, labels=labels, **create))
        name = f"container {container.short_id} of {image}"
        try:
            bounded("start", name, container.start)
            try:
                # The SDK sets wait's read timeout to `timeout`; bounded() gives the answer a margin.
                status = bounded("wait", name, lambda: container.wait(timeout=timeout), timeout + 5)
            except EngineError as error:
                raise EngineError(f"{name} did not exit within {timeout:.0f}s: {error}") from error
            out = bounded("logs", name, lambda: container.logs(stdout=True, stderr=False))
            err = bounded("logs", name, lambda: container.logs(stdout=False, stderr=True))
        finally:
            try:
                bounded("remove", name, lambda: container.remove(force=True))
            except EngineError as error:
                LOG.warning("%s", error)
        return RunResult(int(status.get("StatusCode", -1)), out, err)
