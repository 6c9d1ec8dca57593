#!/usr/bin/env bash
# Creates the PyFlink venv of the Kinesis Analytics Flink engine (services/localstack/
# flink-requirements.txt): Python 3.11 (PyFlink 1.20 supports 3.8-3.11) and a Java runtime.
# Usage: install-flink.sh VENV_DIR
set -euo pipefail
venv="$1"
here="$(cd "$(dirname "$0")/.." && pwd)"
python=""
for candidate in python3.11 "$HOME/.pyenv/versions/3.11.7/bin/python3.11" python3; do
  if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
    python="$candidate"; break
  fi
done
[ -n "$python" ] || { echo "the Flink engine needs Python 3.11 (PyFlink 1.20)" >&2; exit 1; }
command -v java >/dev/null || { echo "the Flink engine needs Java 11 or 17 (java not found)" >&2; exit 1; }
echo "Flink engine: creating $venv with $python (about 825 MB the first time)"
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install -q --upgrade pip 2>&1 | grep -v '^WARNING: Location' || true
"$venv/bin/python" -m pip install -q -r "$here/flink-requirements.txt" 2>&1 | grep -v '^WARNING: Location' || true
"$venv/bin/python" -c 'import pyflink; print("PyFlink ready:", pyflink.__file__)'
