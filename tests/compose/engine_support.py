"""The compose end-to-end suite's dealings with the engine: which files and images
to use on it, building, logs, clean-up, and reading its records.

On podman (no image registry reachable, this project's CI) the lab's images
build FROM the Debian base that services/lab/container-engine.sh makes with
debootstrap, and tests/compose/standins.override.yml builds the real OpenSearch and Apache
Kafka from the native runtime's verified Maven artefacts (tests/compose/engine_images.py fills
their build contexts) and replaces Dashboards by a placeholder. LAB_COMPOSE_STANDINS=0/1
forces the choice (e.g. 1 on a Docker engine without internet).
"""
from __future__ import annotations

import hashlib
import os
import re
import socket
import subprocess
import time
from datetime import datetime
from pathlib import Path

from labctl import compose, engine

from tests.compose import compose_checks as cc
from tests.compose import engine_images
from tests.support import compose_projects, processes

UP_TIMEOUT_S = 1500
# How long an engine suite waits for its turn on the engine (tests/compose/conftest.py):
# the other engine suites' whole run, under pytest-xdist.
ENGINE_TURN_WAIT_S = 1800
BASE_IMAGE = "localhost/clickstream-lab/debian-base:trixie"
ENGINE_SCRIPT = cc.REPO / "services" / "lab" / "container-engine.sh"
STANDINS = cc.REPO / "tests" / "compose" / "standins.override.yml"
LOG_DIR = cc.REPO / "build" / "compose-e2e"
# What the suites ran on (engine, Compose, stand-ins, build times): printed in
# pytest's terminal summary (tests/compose/conftest.py), whatever the verbosity.
# The suites' notes (engine, stand-ins) for pytest's summary. A file, not a list: under
# pytest-xdist the tests run in worker processes and the summary is printed by another.
NOTES_FILE = LOG_DIR / "notes.txt"


def engine_is_podman() -> bool:
    return engine.is_podman()


def small_image() -> str:
    """An image for short containers: on podman the lab's debootstrapped Debian base
    (no registry here), else the pinned Debian image of .env, pulled if missing."""
    if use_standins():
        subprocess.run(["bash", str(ENGINE_SCRIPT), "base-image", BASE_IMAGE], check=True, timeout=900)
        return BASE_IMAGE
    image = f"debian:{cc.read_env_file()['DEBIAN_VERSION']}"
    subprocess.run(["docker", "pull", "-q", image], check=True, timeout=600, capture_output=True)
    return image


def use_standins() -> bool:
    forced = os.environ.get("LAB_COMPOSE_STANDINS")
    return forced == "1" if forced in ("0", "1") else engine_is_podman()


def compose_environment(project: str, ports: dict[str, int], state_dir: Path) -> dict[str, str]:
    """The environment of every make/compose call of the suite: its own project,
    state directory and free loopback ports, a 5 s Firehose buffer."""
    checkout = hashlib.sha1(bytes(cc.REPO)).hexdigest()[:8]
    env = cc.clean_environment({
        # Per checkout: another checkout's suite on the same engine (CI runs beside a
        # developer's, sharing the machine's podman) would otherwise recreate this one's
        # containers at its `up` and remove them at its `down`.
        "COMPOSE_PROJECT_NAME": f"{project}-{checkout}",
        "LAB_RUNTIME": "compose",
        "LAB_STATE_DIR": str(state_dir),
        "LAB_BIND_ADDRESS": "127.0.0.1",
        "LAB_APACHE_PORT": str(ports["apache"]),
        "LAB_LOCALSTACK_PORT": str(ports["localstack"]),
        "LAB_OPENSEARCH_PORT": str(ports["opensearch"]),
        "LAB_DASHBOARDS_PORT": str(ports["dashboards"]),
        "LAB_KAFKA_PORT": str(ports["kafka"]),
        "LAB_BUFFER_INTERVAL": "5",
        # docker-compose v1 gives up on an engine call after 60 s: podman answered slower than
        # that while two JVMs started beside two CI runs (load average 30 on 2 cores)
        "COMPOSE_HTTP_TIMEOUT": "300",
        # Images tagged per checkout: two checkouts testing at once on one engine
        # (its image store is shared) never run each other's code.
        "LAB_IMAGE_TAG": f"{cc.read_env_file()['LAB_IMAGE_TAG']}-test{checkout}",
    })
    if use_standins():
        subprocess.run(["bash", str(ENGINE_SCRIPT), "base-image", BASE_IMAGE], check=True, timeout=900)
        env["LAB_DEBIAN_IMAGE"] = BASE_IMAGE
        engine_images.prepare()
        env["COMPOSE_FILE"] = os.pathsep.join(["docker-compose.yml", str(STANDINS.relative_to(cc.REPO))])
    # Ended with the run if it ends before remove_volumes (a time-out, a SIGTERM)
    compose_projects.register(env["COMPOSE_PROJECT_NAME"], os.environ.get(processes.RUN_VAR, ""),
                              env.get("DOCKER_HOST") or os.environ.get("DOCKER_HOST"))
    return env


# Every profile of the project (labctl.compose.PROFILES): built up front, logged, removed.
ALL_PROFILES = tuple(arg for profile in compose.PROFILES for arg in ("--profile", profile))


def note(text: str) -> str:
    NOTES_FILE.parent.mkdir(parents=True, exist_ok=True)
    with NOTES_FILE.open("a") as notes:
        notes.write(text.replace("\n", " ") + "\n")
    return text


def take_notes() -> list[str]:
    """The notes written since the last call, once each (the file is emptied)."""
    if not NOTES_FILE.exists():
        return []
    lines = list(dict.fromkeys(NOTES_FILE.read_text().splitlines()))
    NOTES_FILE.unlink()
    return lines


def read_env_image(repository: str, env: dict[str, str]) -> str:
    """The lab's image of `repository` at this checkout's LAB_IMAGE_TAG."""
    return f"{repository}:{env.get('LAB_IMAGE_TAG') or cc.read_env_file()['LAB_IMAGE_TAG']}"


def describe(env: dict[str, str]) -> str:
    with project_env(env):
        cli = " ".join(compose.compose_command())
    if "COMPOSE_FILE" in env:
        return (f"compose e2e with {cli} on {os.environ.get('DOCKER_HOST', 'the default engine')}: "
                f"images FROM {env['LAB_DEBIAN_IMAGE']} (debootstrap); OpenSearch and Apache Kafka built "
                "from the native runtime's verified Maven artefacts (no registry here); STAND-IN: "
                "Dashboards -> omitted (placeholder container, saved objects not loaded)")
    return f"compose e2e with {cli}: the real pinned images of docker-compose.yml"


def _compose(env: dict[str, str], *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    with project_env(env):
        command = compose.compose_command()
    return subprocess.run([*command, *args], cwd=cc.REPO, env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)


def build_images(env: dict[str, str]) -> float:
    """Build (or confirm from the engine's cache) every image the project builds; seconds taken."""
    started = time.monotonic()
    run = _compose(env, *ALL_PROFILES, "build", timeout=UP_TIMEOUT_S)
    assert run.returncode == 0, f"build failed:\n{run.stdout[-6000:]}\n{run.stderr[-4000:]}"
    return time.monotonic() - started


def service_logs(env: dict[str, str]) -> str:
    run = _compose(env, *ALL_PROFILES, "logs", "--no-color", "--tail", "80", timeout=120)
    return run.stdout[-15000:] + run.stderr[-2000:]


def save_logs(env: dict[str, str]) -> None:
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    (LOG_DIR / "services.log").write_text(_compose(env, *ALL_PROFILES, "logs", "--no-color", timeout=120).stdout)


def remove_volumes(env: dict[str, str]) -> None:
    _compose(env, *ALL_PROFILES, "down", "-v", "--remove-orphans", timeout=300)
    compose_projects.release(env["COMPOSE_PROJECT_NAME"])


def project_env(env: dict[str, str]):
    """labctl.compose reads Compose's own variables from the process environment."""
    return compose.environment({k: env[k] for k in ("COMPOSE_PROJECT_NAME", "COMPOSE_FILE") if k in env})


_TIME = re.compile(r"(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d:\d\d)(\.\d+)?\s*(Z|[+-]\d\d:?\d\d)?")


def timestamp(text: str) -> float:
    """Seconds since the epoch of an engine's timestamp (RFC 3339, nanoseconds allowed)."""
    match = _TIME.search(text)
    if not match:
        raise ValueError(f"not a timestamp: {text!r}")
    day, clock, fraction, zone = match.groups()
    zone = "+00:00" if zone in (None, "Z") else zone
    parsed = datetime.fromisoformat(f"{day}T{clock}{zone}")
    return parsed.timestamp() + float(fraction or 0)


def log_line_time(container_attrs: dict, needle: str) -> float | None:
    """When a container first logged a line containing `needle` (the engine's timestamps)."""
    for line in engine.logs(container_attrs["Id"], timestamps=True).splitlines():
        if needle in line:
            return timestamp(line.split(" ", 1)[0])
    return None


def non_loopback_address() -> str | None:
    """An IPv4 address of this machine other than loopback (where a port bound to
    every interface would answer)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            sock.connect(("192.0.2.1", 9))  # TEST-NET-1: nothing is sent
            address = sock.getsockname()[0]
        except OSError:
            return None
    return None if address.startswith("127.") else address
