"""Imports the extension's pure modules into the test process (they run in LocalStack's venv
too; these tests exercise them directly where a unit answer is the point)."""
from __future__ import annotations

import sys
from pathlib import Path

EXTENSION = Path(__file__).resolve().parents[2] / "services" / "localstack" / "extension"
if str(EXTENSION) not in sys.path:
    sys.path.insert(0, str(EXTENSION))

from lab_localstack.kinesisanalytics.sql_types import parse_type


def coerce(sql_type: str, value):
    return parse_type(sql_type).coerce(value)


def started_engine(engine_name: str, code: str, columns: list[tuple[str, str]], outputs: list[str]):
    """An engine of the extension running `code` over SOURCE_SQL_STREAM_001 with these columns
    (name, SQL type), in this process (the Flink engine runs PyFlink from .venv-flink)."""
    import os

    from lab_localstack.kinesisanalytics.kda_sql import Column, StreamDef, parse_application_code

    inputs = {"SOURCE_SQL_STREAM_001": StreamDef("SOURCE_SQL_STREAM_001", tuple(
        Column(name, parse_type(sql_type)) for name, sql_type in columns))}
    plan = parse_application_code(code, inputs)
    if engine_name == "flink":
        from lab_localstack.kinesisanalytics.flink_engine import FlinkEngine

        os.environ.setdefault("LAB_KDA_FLINK_PYTHON", str(EXTENSION.parents[2] / ".venv-flink" / "bin" / "python"))
        engine = FlinkEngine(plan, inputs, outputs)
    else:
        from lab_localstack.kinesisanalytics.duckdb_engine import DuckDbEngine

        engine = DuckDbEngine(plan, inputs)
    engine.start()
    if hasattr(engine, "ready") and not engine.ready.wait(240):
        raise RuntimeError("the Flink job did not start")
    return engine
