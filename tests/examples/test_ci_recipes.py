"""examples/ci: the GitHub Actions workflow passes actionlint, the GitLab job passes GitLab's
schema (check-jsonschema's vendored copy), and both run the command the lab's own test of the
sample suite runs (tests/examples/recipes.py)."""
from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.examples.recipes import CI_DIR, recipe_command

pytestmark = pytest.mark.unit

GITHUB = CI_DIR / "github-actions.yml"
GITLAB = CI_DIR / "gitlab-ci.yml"


def actionlint() -> str:
    """actionlint as `make ci-tools` built it (LAB_ACTIONLINT), or on PATH."""
    path = os.environ.get("LAB_ACTIONLINT") or shutil.which("actionlint")
    assert path and Path(path).is_file(), "actionlint is missing: run `make ci-tools` (make test does)"
    return path


def run_actionlint(workflow: Path) -> subprocess.CompletedProcess:
    return subprocess.run([actionlint(), "-no-color", str(workflow)], check=False, capture_output=True,
                          text=True)


def run_gitlab_schema(job: Path) -> subprocess.CompletedProcess:
    checker = Path(sys.executable).with_name("check-jsonschema")
    return subprocess.run([str(checker), "--builtin-schema", "vendor.gitlab-ci", str(job)],
                          check=False, capture_output=True, text=True)


# recipe -> (its checker, the file, a break planted in a copy, what the checker's answer names)
CHECKS = {
    "github": (run_actionlint, GITHUB, ("runs-on: ubuntu-24.04", "runs-onn: ubuntu-24.04"), "runs-onn"),
    "gitlab": (run_gitlab_schema, GITLAB, ("when: on_failure", "when: on_flure"), "on_flure"),
}


@pytest.mark.parametrize("recipe", sorted(CHECKS))
def test_the_recipe_passes_its_checker(recipe):
    check, path, _break, _named = CHECKS[recipe]
    result = check(path)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("recipe", sorted(CHECKS))
def test_the_checker_fails_a_broken_copy_of_the_recipe(recipe, tmp_path):
    check, path, (good, bad), named = CHECKS[recipe]
    broken = tmp_path / path.name
    broken.write_text(path.read_text().replace(good, bad))
    result = check(broken)
    assert result.returncode != 0
    assert named in result.stdout, result.stdout


def _commands_running_the_suite(lines: list[str]) -> list[list[str]]:
    return [shlex.split(line) for line in lines if "run-team-suite.sh" in line]


def test_both_recipes_run_the_command_the_sample_suite_test_runs():
    github = yaml.safe_load(GITHUB.read_text())
    steps = [step["run"] for job in github["jobs"].values() for step in job["steps"] if "run" in step]
    gitlab = yaml.safe_load(GITLAB.read_text())
    scripts = [line for job in gitlab.values() if isinstance(job, dict) for line in job.get("script", [])]
    assert _commands_running_the_suite(steps) == [recipe_command()]
    assert _commands_running_the_suite(scripts) == [recipe_command()]


def test_both_recipes_keep_the_labs_logs_on_failure():
    github = yaml.safe_load(GITHUB.read_text())
    upload = [step for job in github["jobs"].values() for step in job["steps"]
              if step.get("uses", "").startswith("actions/upload-artifact@")]
    assert upload and upload[0]["if"] == "failure()" and upload[0]["with"]["path"] == "lab-logs/"
    assert github["jobs"]["lab-tests"]["env"]["LAB_LOGS_DIR"].endswith("/lab-logs")
    gitlab = yaml.safe_load(GITLAB.read_text())["lab-tests"]
    assert gitlab["artifacts"] == {"when": "on_failure", "paths": ["lab-logs/"], "expire_in": "1 week"}
    assert gitlab["variables"]["LAB_LOGS_DIR"].endswith("/lab-logs")
