"""Runs one Glue job script in the Spark venv, as AWS runs it: `python script.py --JOB_NAME ...`,
with the lab's `awsglue` package beside this file on the path (spark_runner.py sets PYTHONPATH).

What the provider learns from here: the exit code (0 = SUCCEEDED), and when the script raised,
the ErrorMessage in LAB_GLUE_RESULT_FILE (AWS's Glue 4 form: error category, failed line
number, exception type and message), the traceback on stderr (/aws-glue/jobs/error).
SIGTERM (BatchStopJobRun, Timeout) ends streaming queries after their micro-batch in flight
(awsglue.streaming) and otherwise interrupts the script; Spark is stopped on the way out.
"""
from __future__ import annotations

import json
import os
import runpy
import signal
import sys
import threading
import time
import traceback

MAX_MESSAGE = 2048


def _write_result(exc: BaseException, script: str) -> None:
    line = next((f.lineno for f in reversed(traceback.extract_tb(exc.__traceback__)) if f.filename == script), None)
    text = str(exc).strip().splitlines()
    message = f"{type(exc).__name__}: {text[0] if text else ''}"
    where = f"Failed Line Number: {line}; " if line else ""
    path = os.environ.get("LAB_GLUE_RESULT_FILE")
    if path:
        with open(path, "w") as f:
            json.dump({"ErrorMessage": f"Error Category: UNCLASSIFIED_ERROR; {where}{message}"[:MAX_MESSAGE]}, f)


def _on_sigterm(signum, frame) -> None:
    # no Spark calls here: the handler runs in the main thread, which may be inside one
    streaming = sys.modules.get("awsglue.streaming")
    if streaming is not None and streaming.started_queries():
        threading.Thread(target=streaming.stop_all, name="glue-stop", daemon=True).start()
        return
    raise SystemExit(143)


def _stop_spark() -> None:
    pyspark_context = sys.modules.get("pyspark.context")
    if pyspark_context is None:
        return
    sc = pyspark_context.SparkContext._active_spark_context
    if sc is not None:
        try:
            sc.stop()
        except Exception:  # noqa: BLE001 - the run's outcome is the script's, not Spark's stop
            traceback.print_exc()


def _end_with_parent() -> None:
    """The run is the lab's child: if the lab goes (even killed), the run and its JVM go too."""
    parent = os.getppid()
    while True:
        time.sleep(1)
        if os.getppid() != parent:
            os.killpg(0, signal.SIGKILL)


def main() -> int:
    threading.Thread(target=_end_with_parent, name="glue-parent-watch", daemon=True).start()
    script = os.path.abspath(sys.argv[1])
    sys.argv = [script] + sys.argv[2:]
    sys.path.insert(0, os.path.dirname(script))
    signal.signal(signal.SIGTERM, _on_sigterm)
    rc = 0
    try:
        runpy.run_path(script, run_name="__main__")
    except SystemExit as exc:
        rc = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        if rc and rc != 143:
            _write_result(exc, script)
    except BaseException as exc:  # noqa: BLE001 - every failure of the script is the run's FAILED reason
        traceback.print_exc()
        _write_result(exc, script)
        rc = 1
    finally:
        _stop_spark()
    return rc


if __name__ == "__main__":
    sys.exit(main())
