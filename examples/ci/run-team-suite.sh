#!/usr/bin/env bash
# A team's suite against Clickstream Lab, as the README tells users to run it; CI's recipes
# (github-actions.yml, gitlab-ci.yml) and the lab's own test of them run exactly this.
#
#   bash run-team-suite.sh LAB_DIR SUITE_DIR [pytest arguments...]
#
# LAB_DIR: a clone of the lab. SUITE_DIR: the team's suite (a pytest.ini naming its ETL, agent
# config and dashboards; examples/team_suite is one). The lab is installed into TEAM_VENV
# (default ./.team-venv; kept between runs when the lab's pyproject.toml is unchanged), the
# suite starts its own lab on free 127.0.0.1 ports, and on a failure the lab's logs and status
# are copied to LAB_LOGS_DIR (default ./lab-logs) for the CI artefacts.
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 LAB_DIR SUITE_DIR [pytest arguments...]" >&2; exit 2; }
lab=$(cd "$1" && pwd)
suite=$(cd "$2" && pwd)
shift 2
venv=${TEAM_VENV:-$PWD/.team-venv}
logs=${LAB_LOGS_DIR:-$PWD/lab-logs}
python=${PYTHON:-python3}

stamp=$(sha256sum "$lab/pyproject.toml" | cut -c1-16)
if [ "$(cat "$venv/.lab-installed" 2>/dev/null)" != "$stamp" ]; then
  echo "run-team-suite: installing the lab from $lab into $venv"
  "$python" -m venv "$venv"
  "$venv/bin/pip" install -q --upgrade pip
  "$venv/bin/pip" install -q -c "$lab/constraints.txt" -e "$lab" pytest
  echo "$stamp" > "$venv/.lab-installed"
fi
cd "$suite"
echo "run-team-suite: pytest in $suite (lab logs on failure: $logs)"
exec "$venv/bin/python" -m pytest --lab-logs-dir "$logs" "$@"
