"""The sample team suite (examples/team_suite) as a team runs it: a fresh virtualenv that
installed the lab the README's way (examples/ci/run-team-suite.sh, the recipes' command), plain
pytest, the lab's plugin. Two copies run at once, each starting its own lab: both pass, their
servers listen only on 127.0.0.1 and share no port, and nothing is left running after. The
second copy also holds one test that fails on purpose: its report shows the lab's status,
accounting and log tails, and the logs are kept for CI's artefacts (--lab-logs-dir).
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import threading
import time
from pathlib import Path

import psutil
import pytest

from tests.examples.recipes import REPO, SUITE, suite_command
from tests.support.listening import listening_sockets

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(1800)]

FAILING_TEST = '''
def test_fails_on_purpose_to_show_the_lab_in_the_report(clickstream_lab):
    clickstream_lab.generate(3, seed=11)
    clickstream_lab.wait_accounted(3, timeout=120)
    assert clickstream_lab.accounting().indexed == -1
'''


class SuiteRun:
    """One run of the recipes' command in the background, with its listening sockets sampled."""

    def __init__(self, name: str, suite: Path, venv: Path, logs: Path):
        # the lab's temporary state folder goes under TMPDIR: its supervisord (a daemon, not a
        # child of this run) is found by that path on its command line
        self.tmpdir = suite.parent / "tmp"
        self.tmpdir.mkdir()
        env = {**_team_environment(), "TEAM_VENV": str(venv), "LAB_LOGS_DIR": str(logs), "TMPDIR": str(self.tmpdir)}
        self.name = name
        self.process = subprocess.Popen([*suite_command(REPO, suite), "-p", "no:cacheprovider", "-rA"],
                                        cwd=suite.parent, env=env, stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, text=True, start_new_session=True)
        self.sockets: set[tuple[str, int]] = set()
        self.tree: set[int] = set()
        self._sampler = threading.Thread(target=self._sample, daemon=True)
        self._sampler.start()

    def lab_supervisords(self) -> list[int]:
        found = []
        for proc in psutil.process_iter(["pid", "cmdline"]):
            cmdline = proc.info["cmdline"] or []
            if any("supervisord" in part for part in cmdline[:2]) and any(str(self.tmpdir) in a for a in cmdline):
                found.append(proc.info["pid"])
        return found

    def _sample(self) -> None:
        while self.process.poll() is None:
            for pid in self.lab_supervisords():
                self.sockets |= listening_sockets(pid)
                try:
                    self.tree |= {pid, *(p.pid for p in psutil.Process(pid).children(recursive=True))}
                except psutil.NoSuchProcess:
                    pass
            time.sleep(1)

    def wait(self, timeout: float) -> str:
        try:
            output, _ = self.process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, 9)
            output, _ = self.process.communicate()
            pytest.fail(f"{self.name} did not finish in {timeout}s:\n{output[-6000:]}")
        self._sampler.join(timeout=5)
        return output


def _team_environment() -> dict[str, str]:
    """This environment as a team's CI job has it: none of the suite's own LAB_* settings (the
    team's lab picks its ports and state itself) but the shared caches and the test run's process
    tags (tests/support/processes.py: what the team's lab starts ends with this run), no pytest's."""
    keep = ("LAB_CACHE_DIR", "LAB_LOCALSTACK_VENV", "LAB_TEST_RUN", "LAB_TEST_OWNER")
    return {key: value for key, value in os.environ.items()
            if not key.startswith("PYTEST_") and (not key.startswith("LAB_") or key in keep)}


def _copy_suite(destination: Path, extra_test: str | None = None) -> Path:
    suite = shutil.copytree(SUITE, destination, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
    if extra_test:
        (suite / "tests" / "test_fails_on_purpose.py").write_text(extra_test)
    return suite


def _summary(output: str) -> str:
    lines = [line for line in output.splitlines() if re.match(r"^=+ .*(passed|failed|error).* =+$", line)]
    return lines[-1] if lines else "(no summary)\n" + output[-4000:]


@pytest.fixture(scope="module")
def team_venv(tmp_path_factory) -> Path:
    """A fresh virtualenv with the lab installed by the recipes' command (it collects only)."""
    venv = tmp_path_factory.mktemp("team") / "venv"
    suite = _copy_suite(tmp_path_factory.mktemp("collect") / "team_suite")
    env = {**_team_environment(), "TEAM_VENV": str(venv)}
    result = subprocess.run([*suite_command(REPO, suite), "--collect-only", "-q", "-p", "no:cacheprovider"],
                            check=False, cwd=suite.parent, env=env, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert "3 tests collected" in result.stdout, result.stdout[-2000:]
    return venv


def test_two_labs_at_once_both_pass_the_sample_suite_on_loopback_ports(team_venv, tmp_path):
    first = SuiteRun("first", _copy_suite(tmp_path / "a" / "team_suite"), team_venv, tmp_path / "a" / "lab-logs")
    second = SuiteRun("second", _copy_suite(tmp_path / "b" / "team_suite", FAILING_TEST), team_venv,
                      tmp_path / "b" / "lab-logs")
    out_first, out_second = first.wait(1500), second.wait(1500)

    assert first.process.returncode == 0, out_first[-8000:]
    assert "3 passed" in _summary(out_first) and "failed" not in _summary(out_first), _summary(out_first)
    # the second copy: the same three pass, the planted one fails
    assert second.process.returncode == 1, out_second[-8000:]
    assert "1 failed, 3 passed" in _summary(out_second), _summary(out_second)
    for test in ("test_every_generated_line_arrives_with_the_new_field",
                 "test_a_malformed_line_ends_in_the_processing_failed_output",
                 "test_the_team_dashboard_loads_with_data"):
        assert f"PASSED tests/test_pipeline_field.py::{test}" in out_second or \
               f"PASSED tests/test_dashboard.py::{test}" in out_second, test

    # each lab's services listened on loopback only, and the two labs shared no port
    for run in (first, second):
        ports = {port for _address, port in run.sockets}
        assert len(ports) >= 4, f"{run.name}: too few listening sockets seen: {run.sockets}"
        assert {address for address, _port in run.sockets} == {"127.0.0.1"}, run.sockets
    assert not {p for _a, p in first.sockets} & {p for _a, p in second.sockets}

    # the planted failure's report shows the lab, and its logs are kept for CI's artefacts
    report = out_second[out_second.index("_ test_fails_on_purpose_to_show_the_lab_in_the_report _"):]
    assert "clickstream lab: status" in report and "webserver_stream" in report, report[-6000:]
    assert re.search(r"clickstream lab: accounting[ -]*\nAccounting\(written=\d+, indexed=\d+,", report), \
        report[-6000:]
    assert "clickstream lab: log tails" in report and "--- localstack.log (last" in report
    kept = sorted(p.name for p in (tmp_path / "b" / "lab-logs").iterdir())
    assert {"status.txt", "localstack.log", "opensearch.log"} <= set(kept), kept

    # nothing of either lab is left running
    time.sleep(2)
    assert first.tree and second.tree
    left = [p for p in first.tree | second.tree if psutil.pid_exists(p)
            and psutil.Process(p).status() != psutil.STATUS_ZOMBIE]
    assert not left, [psutil.Process(p).cmdline()[:3] for p in left if psutil.pid_exists(p)]
