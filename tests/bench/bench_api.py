"""The Python API for teams' CI (clickstream_lab): how long a team waits for a lab.

start, cold      Lab.start with a new temporary state folder, to ready (every service answers,
                 the stream provisioned, the agent running); baseline in the same run: what
                 `make up` runs natively (labctl.native.up) on a new state folder
start, warm      Lab.start again on the state folder of a lab just stopped (its OpenSearch
                 data and LocalStack state on disk)
sample suite     examples/team_suite through examples/ci/run-team-suite.sh (the CI recipes'
                 command) in an installed venv: the whole pytest run, its own lab included

Run alone: `python -m tests.bench.bench_api [--quick]`; `make bench` runs it with the others.
"""
from __future__ import annotations

import os
import subprocess
import tempfile
import time
from pathlib import Path

from clickstream_lab import Lab, LabOptions
from labctl import native
from labctl import settings as lab

from tests.bench.figures import figure, print_figures
from tests.examples.recipes import REPO, SUITE, suite_command

COMPONENT = "api"


def _native_up_cold(tmp: Path) -> float:
    options = LabOptions(state_dir=tmp / "baseline")
    settings = lab.load({**os.environ, **options.environment(tmp / "baseline", None)})
    started = time.monotonic()
    try:
        native.up(settings)
        return time.monotonic() - started
    finally:
        native.down(settings)


def _api_starts(tmp: Path) -> tuple[float, float]:
    with Lab.start(LabOptions()) as cold:
        cold_s = cold.started_in
    kept = tmp / "kept"
    Lab.start(LabOptions(state_dir=kept)).stop()
    with Lab.start(LabOptions(state_dir=kept)) as warm:
        warm_s = warm.started_in
    return cold_s, warm_s


def _sample_suite(tmp: Path) -> float:
    venv = Path(os.environ.get("LAB_CACHE_DIR", Path.home() / ".cache" / "clickstream-lab")) / "bench-team-venv"
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTEST_", "LAB_")) or k in ("LAB_CACHE_DIR", "LAB_LOCALSTACK_VENV")}
    env.update(TEAM_VENV=str(venv), LAB_LOGS_DIR=str(tmp / "lab-logs"))
    install = subprocess.run([*suite_command(REPO, SUITE), "--collect-only", "-q", "-p", "no:cacheprovider"],
                             env=env, capture_output=True, text=True, check=False)
    if install.returncode:
        raise RuntimeError(f"installing the team venv failed: {install.stdout[-2000:]}{install.stderr[-2000:]}")
    started = time.monotonic()
    run = subprocess.run([*suite_command(REPO, SUITE), "-q", "-p", "no:cacheprovider"], env=env,
                         capture_output=True, text=True, check=False)
    elapsed = time.monotonic() - started
    if run.returncode:
        raise RuntimeError(f"the sample suite failed: {run.stdout[-3000:]}")
    return elapsed


def run(quick: bool = False) -> list[dict]:
    with tempfile.TemporaryDirectory(prefix="bench-api-") as name:
        tmp = Path(name)
        baseline = _native_up_cold(tmp)
        cold, warm = _api_starts(tmp)
        suite = _sample_suite(tmp)
    return [
        figure(COMPONENT, "Lab.start to ready, cold", cold, "s", notes=f"baseline native.up (make up) cold "
               f"{baseline:.1f} s, same run", digits=1),
        figure(COMPONENT, "Lab.start to ready, warm (state kept)", warm, "s", digits=1,
               notes="the same state folder, started again"),
        figure(COMPONENT, "baseline: native.up cold", baseline, "s", digits=1, notes="what make up runs natively"),
        figure(COMPONENT, "sample team suite (3 tests, own lab)", suite, "s", digits=1,
               notes="examples/ci/run-team-suite.sh, venv installed"),
    ]


if __name__ == "__main__":
    print_figures(run, __doc__)
