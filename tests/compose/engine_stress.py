"""Short containers, one after another, through one of three ways of running them,
each call bounded: the lab's helper (labctl.engine.run), the Docker SDK's
`containers.run(remove=True)` (the call that hung on podman 4.3, issue 22), its
hanging step alone (logs with follow=True right after the start), and the docker
CLI's `docker run --rm` (what services/lab/container-lab.sh uses).

    python -m tests.compose.engine_stress --way sdk-run --count 100

prints how many calls ended, how many did not within the limit, and the slowest.
tests/compose/test_engine.py runs the lab's way 100 times as a test.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from labctl import engine

COMMAND = ["sha256sum", "/etc/hostname"]


@dataclass
class StressResult:
    way: str
    count: int
    hung: list[str] = field(default_factory=list)      # calls that did not end within the limit
    failed: list[str] = field(default_factory=list)    # calls that ended with a wrong answer
    slowest_s: float = 0.0

    def row(self) -> str:
        return (f"{self.way}: {self.count} containers, {len(self.hung)} did not end within the limit, "
                f"{len(self.failed)} wrong answers, slowest {self.slowest_s:.1f}s")


def lab_way(image: str, limit_s: float) -> bytes:
    result = engine.run(image, COMMAND, timeout=limit_s)
    if result.exit_code != 0:
        raise AssertionError(f"exit {result.exit_code}: {result.stderr!r}")
    return result.stdout


def sdk_run_way(image: str, limit_s: float) -> bytes:
    with engine.client(limit_s) as sdk:
        return engine.bounded("containers.run", image,
                              lambda: sdk.containers.run(image, COMMAND, remove=True), limit_s)


def follow_way(image: str, limit_s: float) -> bytes:
    """The step of `containers.run()` that hangs, alone: follow the logs right after the start."""
    with engine.client(limit_s) as sdk:
        container = engine.bounded("create", image, lambda: sdk.containers.create(
            image, COMMAND, detach=True, labels={engine.RUN_LABEL: "true"}))
        try:
            engine.bounded("start", container.short_id, container.start)
            return engine.bounded("logs follow=True", container.short_id, lambda: b"".join(
                sdk.api.logs(container.id, stream=True, follow=True)), limit_s)
        finally:
            engine.bounded("remove", container.short_id, lambda: container.remove(force=True))


def cli_way(image: str, limit_s: float) -> bytes:
    try:
        run = subprocess.run(["docker", "run", "--rm", image, *COMMAND], capture_output=True,
                             timeout=limit_s, check=False)
    except subprocess.TimeoutExpired as error:
        raise engine.EngineError(f"docker run --rm {image} did not end within {limit_s:.0f}s") from error
    if run.returncode != 0:
        raise AssertionError(f"exit {run.returncode}: {run.stderr!r}")
    return run.stdout


WAYS: dict[str, Callable[[str, float], bytes]] = {
    "lab": lab_way, "sdk-run": sdk_run_way, "follow": follow_way, "cli": cli_way}


def stress(way: str, image: str, count: int, limit_s: float = 30.0) -> StressResult:
    """Run `count` short containers in a row the given way; a call that does not end
    within `limit_s` counts as hung (and the next one starts)."""
    result = StressResult(way, count)
    for i in range(count):
        started = time.monotonic()
        try:
            out = WAYS[way](image, limit_s)
            if len(out.split()) != 2 or len(out.split()[0]) != 64:
                result.failed.append(f"#{i}: {out!r}")
        except engine.EngineError as error:
            result.hung.append(f"#{i}: {error}")
        except AssertionError as error:
            result.failed.append(f"#{i}: {error}")
        result.slowest_s = max(result.slowest_s, time.monotonic() - started)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--way", choices=sorted(WAYS), default="lab")
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--limit", type=float, default=30.0, help="seconds one call may take")
    parser.add_argument("--image", default="localhost/clickstream-lab/debian-base:trixie")
    args = parser.parse_args(argv)
    result = stress(args.way, args.image, args.count, args.limit)
    print(result.row())
    for line in result.hung + result.failed:
        print("  " + line)
    return 0 if not (result.hung or result.failed) else 1


if __name__ == "__main__":
    sys.exit(main())
