#!/usr/bin/env bash
# Creates the PySpark venv of the Glue jobs engine (services/localstack/spark-requirements.txt):
# Python 3.11-3.13 and a Java 17+ runtime (Spark 4 needs Java 17 or 21). Then Spark's connectors
# (s3a, Kafka, Delta Lake: services/jvm/spark/pom.xml) from Maven Central into the lab's cache,
# checked against their SHA-256 lock (services/jvm/fetch.py prints each jar and its size).
# Usage: install-spark.sh VENV_DIR
set -euo pipefail
venv="$1"
here="$(cd "$(dirname "$0")/.." && pwd)"
python=""
for candidate in python3.11 python3.12 python3.13 python3; do
  if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; sys.exit(not (3, 10) <= sys.version_info[:2] <= (3, 13))'; then
    python="$candidate"; break
  fi
done
[ -n "$python" ] || { echo "the Glue jobs engine needs Python 3.10-3.13 (PySpark 4)" >&2; exit 1; }
command -v java >/dev/null || { echo "the Glue jobs engine needs Java 17 or 21 (java not found)" >&2; exit 1; }
java -version 2>&1 | grep -qE 'version "(1[7-9]|2[0-9])' || { echo "the Glue jobs engine needs Java 17 or 21 (Spark 4): $(java -version 2>&1 | head -1)" >&2; exit 1; }
echo "Glue jobs engine: creating $venv with $python (about 520 MB the first time)"
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install -q --upgrade pip 2>&1 | grep -v '^WARNING: Location' || true
"$venv/bin/python" -m pip install -q -r "$here/spark-requirements.txt" 2>&1 | grep -v '^WARNING: Location' || true
"$venv/bin/python" -c 'import pyspark; print("PySpark ready:", pyspark.__version__)'
command -v mvn >/dev/null || { echo "Spark's connectors come from Maven Central: install Maven (apt-get install maven)" >&2; exit 1; }
python3 "$here/../jvm/fetch.py" spark
