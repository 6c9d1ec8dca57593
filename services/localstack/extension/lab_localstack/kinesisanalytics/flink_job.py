"""The PyFlink job of the Flink engine; runs in the Flink venv (.venv-flink), not in LocalStack.

Usage: python flink_job.py SPEC.json. The spec holds the Flink SQL statements (flink_translate.py)
and the in-application streams to emit. The job runs them on a local Flink (streaming mode,
parallelism 1) and prints one JSON line per emitted row, {"stream": name, "values": [...]},
then "READY" once every query is submitted; the engine reads stdout.
"""
import datetime
import decimal
import json
import sys
import threading

from pyflink.table import EnvironmentSettings, TableEnvironment

_print_lock = threading.Lock()


def _plain(value):
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    return value


def _emit(stream: str, values: list) -> None:
    with _print_lock:
        sys.stdout.write(json.dumps({"stream": stream, "values": [_plain(v) for v in values]}) + "\n")
        sys.stdout.flush()


def _collect(table_env: TableEnvironment, stream: str) -> None:
    result = table_env.sql_query(f"SELECT * FROM `{stream}`").execute()
    with result.collect() as rows:
        for row in rows:
            _emit(stream, list(row))


def main(spec_path: str) -> None:
    with open(spec_path) as handle:
        spec = json.load(handle)
    table_env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
    config = table_env.get_config()
    config.set("parallelism.default", "1")
    config.set("pipeline.name", spec.get("name", "kda-lab"))
    for statement in spec["statements"]:
        table_env.execute_sql(statement)
    threads = [threading.Thread(target=_collect, args=(table_env, s), daemon=True) for s in spec["outputs"]]
    for thread in threads:
        thread.start()
    sys.stdout.write("READY\n")
    sys.stdout.flush()
    for thread in threads:
        thread.join()


if __name__ == "__main__":
    main(sys.argv[1])
