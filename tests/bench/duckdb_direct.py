"""The baseline of bench_data_lake: the example queries run by DuckDB directly on local
copies of the same JSON Lines files, translated by sqlglot like the lab's Athena does
but with no API, catalog, S3 or SerDe in between. It runs in LocalStack's venv (where
duckdb and sqlglot are installed): python duckdb_direct.py <queries.json> <repeats> <file>...
and prints {"name": median seconds} as JSON."""
from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

import duckdb
import sqlglot

COLUMNS = {"host": "VARCHAR", "path": "VARCHAR", "response": "INTEGER", "username": "VARCHAR",
           "session_id": "VARCHAR", "@timestamp_utc": "VARCHAR"}


def main(argv: list[str]) -> int:
    queries = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    repeats, files = int(argv[1]), argv[2:]
    con = duckdb.connect()
    con.execute("SET TimeZone='UTC'")
    columns = "{" + ", ".join(f"'{k}': '{v}'" for k, v in COLUMNS.items()) + "}"
    file_list = "[" + ", ".join(f"'{f}'" for f in files) + "]"
    con.execute(f"CREATE VIEW apache_ AS SELECT * FROM read_json({file_list}, format='newline_delimited', "
                f"columns={columns})")
    timings = {}
    for name, sql in queries.items():
        runs = []
        for _ in range(repeats):
            started = time.perf_counter()
            con.execute(sqlglot.transpile(sql, read="athena", write="duckdb")[0]).fetchall()
            runs.append(time.perf_counter() - started)
        timings[name] = statistics.median(runs)
    print(json.dumps(timings))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
