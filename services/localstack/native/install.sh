#!/usr/bin/env bash
# Creates the Python 3.13 virtualenv for native (Docker-less) LocalStack:
# localstack-core[runtime]==4.14.0 constrained by LocalStack's own lock
# (services/localstack/requirements-runtime-4.14.0.txt), plus the lab's
# LocalStack extension (services/localstack/extension) installed editable.
# Usage: install.sh VENV_DIR
set -euo pipefail
venv=${1:?usage: install.sh VENV_DIR}
here=$(cd "$(dirname "$0")/.." && pwd)

find_python313() {
  local candidates=(python3.13)
  if command -v pyenv >/dev/null 2>&1; then
    for d in "$(pyenv root)"/versions/3.13*; do candidates+=("$d/bin/python3.13"); done
  fi
  candidates+=(/opt/homebrew/bin/python3.13 /usr/local/bin/python3.13 /usr/bin/python3.13)
  for c in "${candidates[@]}"; do
    if command -v "$c" >/dev/null 2>&1 && "$c" -c 'import sys; assert sys.version_info[:2] == (3, 13)' 2>/dev/null; then
      command -v "$c"; return 0
    fi
  done
  return 1
}

py=$(find_python313) || {
  echo "error: native LocalStack 4.14.0 needs Python 3.13 (python3.13 on PATH, pyenv, or Homebrew); none found." >&2
  echo "       install one (e.g. 'pyenv install 3.13' or 'apt-get install python3.13') and run make again." >&2
  exit 1
}
echo "native LocalStack: creating $venv with $py (about 3 minutes and 510 MB the first time)"
rm -rf "$venv"
"$py" -m venv "$venv"
"$venv/bin/python" -m pip install -q --upgrade pip 2>&1 | grep -v '^WARNING: Location' || true
"$venv/bin/python" -m pip install -q -c "$here/requirements-runtime-4.14.0.txt" \
  'localstack-core[runtime]==4.14.0' 2>&1 | grep -vE '^WARNING: (Location|The candidate)|^Reason for being yanked' || true
"$venv/bin/python" -m pip install -q -c "$here/requirements-runtime-4.14.0.txt" \
  -e "$here/extension[kinesisanalytics]" 2>&1 | grep -vE '^WARNING: (Location|The candidate)' || true
"$venv/bin/python" -c 'import localstack, lab_localstack; from importlib.metadata import version; print("native LocalStack ready:", version("localstack-core"))'
