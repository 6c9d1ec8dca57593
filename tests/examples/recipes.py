"""The one command that runs a team's suite against the lab: examples/ci's recipes run it, and
tests/examples/test_team_suite.py runs the same, with the lab's clone where CI checks it out."""
from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CI_DIR = REPO / "examples" / "ci"
SUITE = REPO / "examples" / "team_suite"
# In the recipes the lab's clone is checked out into ./clickstream-lab.
RECIPE_LAB_DIR = "clickstream-lab"


def suite_command(lab_dir: str | Path, suite_dir: str | Path) -> list[str]:
    """The command, as argv, that installs the lab and runs the suite at `suite_dir`."""
    return ["bash", f"{lab_dir}/examples/ci/run-team-suite.sh", str(lab_dir), str(suite_dir)]


def recipe_command() -> list[str]:
    """The command as the recipes write it (the clone in ./clickstream-lab, the sample suite)."""
    return suite_command(RECIPE_LAB_DIR, f"{RECIPE_LAB_DIR}/examples/team_suite")
