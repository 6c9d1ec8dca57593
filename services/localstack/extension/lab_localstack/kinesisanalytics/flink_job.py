"""The PyFlink job of the Flink engine; runs in the Flink venv (.venv-flink), not in LocalStack.

Usage: python flink_job.py SPEC.json. The spec holds the Flink SQL statements (flink_translate.py)
and the in-application streams to emit. The job runs them on a local Flink (streaming mode,
parallelism 1) and prints one JSON line per emitted row, {"stream": name, "values": [...]},
after "READY" once every query's job is running (the engine writes no input before, so that
no row can arrive behind the watermark); the engine reads stdout.
"""
import datetime
import decimal
import json
import sys
import threading
import time

from pyflink.common import JobStatus
from pyflink.table import EnvironmentSettings, TableEnvironment

TASKS_DEPLOY_S = 2   # after the job is RUNNING its tasks still deploy; the source must be reading

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


def _collect(table_env: TableEnvironment, stream: str, running: threading.Event) -> None:
    result = table_env.sql_query(f"SELECT * FROM `{stream}`").execute()
    client = result.get_job_client()
    while client.get_job_status().result() != JobStatus.RUNNING:
        time.sleep(0.2)
    time.sleep(TASKS_DEPLOY_S)
    running.set()
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
    running = {s: threading.Event() for s in spec["outputs"]}
    threads = [threading.Thread(target=_collect, args=(table_env, s, running[s]), daemon=True)
               for s in spec["outputs"]]
    for thread in threads:
        thread.start()
    for event in running.values():
        event.wait()
    sys.stdout.write("READY\n")
    sys.stdout.flush()
    for thread in threads:
        thread.join()


if __name__ == "__main__":
    main(sys.argv[1])
