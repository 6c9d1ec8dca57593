"""Checks of the compose lab's files, as plain functions returning problems.

Each checker takes parsed data (the output of `docker-compose config`, a
Dockerfile's text, ...) and returns a list of human-readable problems; an empty
list means the rule holds. Tests call them on the real files *and* on small bad
samples, so every rule is shown to be able to fail.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
COMPOSE_FILE = REPO / "docker-compose.yml"
ENV_FILE = REPO / ".env"
LAMBDA_DOCKER_OVERRIDE = REPO / "services" / "localstack" / "lambda-docker.override.yml"

LOOPBACK = "127.0.0.1"
ONE_SHOT_LABEL = "org.clickstream-lab.one-shot"
DOCKER_SOCKET = "docker.sock"


# --- .env and running `docker-compose config` -------------------------------------

def read_env_file(path: Path = ENV_FILE) -> dict[str, str]:
    """KEY=VALUE lines of a compose .env file (comments and blanks skipped)."""
    values: dict[str, str] = {}
    for number, line in enumerate(path.read_text().splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        if not sep or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
            raise ValueError(f"{path.name}:{number}: not KEY=VALUE: {line!r}")
        values[key] = value
    return values


def compose_command() -> list[str]:
    """The Compose CLI to validate with: Debian's `docker-compose` (1.29, enough for
    `config`) or the `docker compose` plugin. Neither: an AssertionError saying how
    to get one (`make test` installs docker-compose through `make system-packages`)."""
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True, check=False, timeout=30)
        if probe.returncode == 0:
            return ["docker", "compose"]
    raise AssertionError(
        "no Compose CLI to validate docker-compose.yml: install Debian's docker-compose "
        "(`sudo apt-get install -y docker-compose`; `make system-packages` does it) "
        "or the Docker Compose plugin")


def clean_environment(overrides: dict[str, str] | None = None) -> dict[str, str]:
    """The current environment without anything that would override .env, so that
    `config` shows the defaults a fresh checkout gets; plus `overrides`."""
    shadowing = set(read_env_file()) | {"LAB_BIND_ADDRESS", "COMPOSE_FILE", "COMPOSE_PROFILES"}
    env = {k: v for k, v in os.environ.items()
           if k not in shadowing and not k.startswith(("LAB_", "COMPOSE_"))}
    env.update(overrides or {})
    return env


def compose_config(*files: Path, env: dict[str, str] | None = None) -> tuple[dict, str]:
    """Run `<compose> [-f FILE ...] config` from the repository root: validation
    against Compose's schema, interpolation from .env, merging of files. Returns the
    parsed result and the raw output; a non-zero exit is an AssertionError with
    Compose's message."""
    cmd = compose_command()
    for f in files:
        cmd += ["-f", str(f)]
    cmd.append("config")
    run = subprocess.run(cmd, cwd=REPO, env=clean_environment(env), capture_output=True,
                         text=True, timeout=120, check=False)
    assert run.returncode == 0, f"{' '.join(cmd)} failed:\n{run.stderr}{run.stdout}"
    return yaml.safe_load(run.stdout), run.stdout


def raw_compose(path: Path = COMPOSE_FILE) -> dict:
    """The compose file as written (anchors resolved, nothing interpolated)."""
    return yaml.safe_load(path.read_text())


# --- images --------------------------------------------------------------------------

def split_image(ref: str) -> tuple[str, str | None, str | None]:
    """`repo[:tag][@digest]` -> (repo, tag, digest); a registry port is not a tag."""
    name, _, digest = ref.partition("@")
    prefix, slash, last = name.rpartition("/")
    base, colon, tag = last.partition(":")  # the first colon: `${V:?msg}` has more
    return prefix + slash + base, (tag if colon else None), digest or None


def image_problems(ref: str, where: str) -> list[str]:
    """An image reference must name a fixed version: a tag other than `latest`
    (or a digest), fully interpolated."""
    if "$" in ref:
        return [f"{where}: image {ref!r} still contains a variable"]
    _repo, tag, digest = split_image(ref)
    if digest:
        return [] if re.fullmatch(r"sha256:[0-9a-f]{64}", digest) else [f"{where}: bad digest in {ref!r}"]
    if tag is None:
        return [f"{where}: image {ref!r} has no tag (that means latest)"]
    if tag == "latest" or tag.endswith("-latest") or not re.search(r"\d", tag):
        return [f"{where}: image {ref!r} is not pinned to a version (tag {tag!r})"]
    return []


def service_image_problems(services: dict) -> list[str]:
    problems = []
    for name, svc in services.items():
        if "image" not in svc:
            problems.append(f"service {name}: no image name (built images need one too, "
                            "so they can be saved and loaded)")
            continue
        problems += image_problems(svc["image"], f"service {name}")
    return problems


VAR_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:[:?-][^}]*)?\}")


def raw_version_problems(raw_services: dict, env_file: dict[str, str]) -> list[str]:
    """In the file as written, every image tag and every build arg comes from a
    variable defined in .env: versions live in one place."""
    problems = []
    for name, svc in raw_services.items():
        image = svc.get("image")
        if image is not None:
            _, tag, digest = split_image(image)
            if digest is None and (tag is None or not VAR_REF.search(tag)):
                problems.append(f"service {name}: image {image!r}: the tag must come from .env")
        build = svc.get("build")
        args = build.get("args", {}) if isinstance(build, dict) else {}
        if isinstance(args, list):
            args = dict(a.split("=", 1) for a in args)
        for arg, value in args.items():
            if not VAR_REF.search(str(value)):
                problems.append(f"service {name}: build arg {arg}={value!r}: must come from .env")
        for text in [image or "", *map(str, args.values())]:
            for var in VAR_REF.findall(text):
                if var not in env_file:
                    problems.append(f"service {name}: ${{{var}}} is not defined in .env")
    return problems


def env_version_problems(env_file: dict[str, str]) -> list[str]:
    return [f".env: {k}={v!r} is not a pinned version"
            for k, v in env_file.items()
            if k.endswith("_VERSION") and (not v or v == "latest" or not re.search(r"\d", v))]


# --- Dockerfiles -----------------------------------------------------------------------

def dockerfile_from_images(text: str, build_args: dict[str, str] | None = None) -> list[str]:
    """The base images of a Dockerfile's FROM lines, with ARG defaults (declared
    before the first FROM) and `build_args` substituted. Stage references are
    skipped."""
    build_args = dict(build_args or {})
    text = re.sub(r"\\\n", " ", text)
    args: dict[str, str] = {}
    stages: set[str] = set()
    images = []
    seen_from = False
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        word, _, rest = line.partition(" ")
        word = word.upper()
        if word == "ARG" and not seen_from:
            key, _, default = rest.strip().partition("=")
            args[key] = build_args.get(key, default.strip().strip('"'))
        elif word == "FROM":
            seen_from = True
            parts = [p for p in rest.split() if not p.startswith("--")]
            ref = re.sub(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?", lambda m: args.get(m.group(1), m.group(0)),
                         parts[0])
            if ref.lower() not in stages:  # `FROM builder`: an earlier stage, not an image
                images.append(ref)
            if len(parts) >= 3 and parts[1].upper() == "AS":
                stages.add(parts[2].lower())
    return images


def dockerfile_arg_defaults(text: str) -> dict[str, str]:
    """ARG defaults declared before the first FROM."""
    defaults = {}
    for line in text.splitlines():
        line = line.strip()
        if line.upper().startswith("FROM "):
            break
        if line.upper().startswith("ARG "):
            key, sep, default = line[4:].strip().partition("=")
            if sep:
                defaults[key] = default.strip().strip('"')
    return defaults


def dockerfile_problems(text: str, where: str, build_args: dict[str, str] | None = None) -> list[str]:
    images = dockerfile_from_images(text, build_args)
    if not images:
        return [f"{where}: no FROM line"]
    problems = []
    for ref in images:
        problems += image_problems(ref, f"{where}: FROM")
    return problems


# --- ports ------------------------------------------------------------------------------

def parse_port(entry) -> tuple[str | None, str | None, str]:
    """A `ports:` entry (short string or long mapping) -> (host_ip, published, target)."""
    if isinstance(entry, dict):
        published = entry.get("published")
        return (entry.get("host_ip") or None,
                None if published in (None, "") else str(published), str(entry.get("target")))
    spec = str(entry).split("/", 1)[0]
    if spec.startswith("["):  # [::1]:8080:80
        host, _, rest = spec[1:].partition("]:")
        published, _, target = rest.partition(":")
        return host, published, target
    parts = spec.rsplit(":", 2)
    if len(parts) == 3:
        return parts[0] or None, parts[1], parts[2]
    if len(parts) == 2:
        return None, parts[0], parts[1]
    return None, None, parts[0]


def port_problems(services: dict, allowed_host_ip: str = LOOPBACK) -> list[str]:
    """Every published port binds to `allowed_host_ip` (a port without a host
    address listens on every interface of the machine)."""
    problems = []
    for name, svc in services.items():
        for entry in svc.get("ports", []) or []:
            host_ip = parse_port(entry)[0]
            if host_ip != allowed_host_ip:
                problems.append(f"service {name}: port {entry!r} binds to "
                                f"{host_ip or 'every interface'}, not {allowed_host_ip}")
    return problems


def published_ports(services: dict) -> dict[str, set[tuple[str, str]]]:
    return {name: {parse_port(p)[1:] for p in svc.get("ports", []) or []}
            for name, svc in services.items()}


# --- health checks and dependencies ------------------------------------------------------

def is_one_shot(svc: dict) -> bool:
    labels = svc.get("labels") or {}
    if isinstance(labels, list):
        labels = dict(item.split("=", 1) for item in labels)
    return str(labels.get(ONE_SHOT_LABEL, "")).lower() == "true"


def healthcheck_problems(services: dict) -> list[str]:
    """Every long-running service declares a health check that is not disabled."""
    problems = []
    for name, svc in services.items():
        if is_one_shot(svc):
            if svc.get("restart", "no") not in ("no", None):
                problems.append(f"service {name}: one-shot but restart={svc['restart']!r}")
            continue
        hc = svc.get("healthcheck")
        if not hc:
            problems.append(f"service {name}: long-running service without a healthcheck")
            continue
        test = hc.get("test")
        if hc.get("disable") or not test or (isinstance(test, list) and test[0] == "NONE"):
            problems.append(f"service {name}: healthcheck is disabled")
    return problems


def depends_on_problems(services: dict) -> list[str]:
    """Every dependency has the condition that matches what it depends on: a
    one-shot service must have completed successfully, any other must be healthy
    (`service_started`, the list form's meaning, is not enough for `up --wait`)."""
    problems = []
    for name, svc in services.items():
        deps = svc.get("depends_on") or {}
        if isinstance(deps, list):
            problems.append(f"service {name}: depends_on is a list (no conditions)")
            continue
        for dep, spec in deps.items():
            condition = (spec or {}).get("condition", "service_started")
            if dep not in services:
                problems.append(f"service {name}: depends on unknown service {dep}")
                continue
            wanted = ("service_completed_successfully" if is_one_shot(services[dep])
                      else "service_healthy")
            if condition != wanted:
                problems.append(f"service {name}: depends on {dep} with {condition}, "
                                f"expected {wanted}")
    return problems


def one_shot_adoption_problems(services: dict) -> list[str]:
    """`docker compose up --wait` fails when a container exits, even with 0, unless
    a long-running service waits for it with service_completed_successfully. So
    every one-shot service started by `up` (no profile) must be adopted."""
    problems = []
    for name, svc in services.items():
        if not is_one_shot(svc) or svc.get("profiles"):
            continue
        adopted = any(
            not is_one_shot(other) and not other.get("profiles")
            and ((other.get("depends_on") or {}).get(name) or {}).get("condition")
            == "service_completed_successfully"
            for other in services.values() if isinstance(other.get("depends_on"), dict))
        if not adopted:
            problems.append(f"service {name}: one-shot service no long-running service waits "
                            "for (service_completed_successfully): `up --wait` would fail")
    return problems


# --- volumes -----------------------------------------------------------------------------------

def parse_volume(entry) -> tuple[str | None, str]:
    """A `volumes:` entry (short string or long mapping) -> (source, target)."""
    if isinstance(entry, dict):
        return entry.get("source"), entry.get("target", "")
    parts = str(entry).split(":")
    if len(parts) == 1:
        return None, parts[0]
    return parts[0], parts[1]


def docker_socket_problems(services: dict) -> list[str]:
    """No service mounts the Docker socket (it is root on the host) or runs
    privileged."""
    problems = []
    for name, svc in services.items():
        for entry in svc.get("volumes", []) or []:
            source, target = parse_volume(entry)
            if DOCKER_SOCKET in (source or "") or DOCKER_SOCKET in target:
                problems.append(f"service {name}: mounts the Docker socket ({entry!r})")
        if svc.get("privileged"):
            problems.append(f"service {name}: runs privileged")
    return problems


def volume_target(svc: dict, volume_name: str) -> str | None:
    for entry in svc.get("volumes", []) or []:
        source, target = parse_volume(entry)
        if source == volume_name:
            return target
    return None
