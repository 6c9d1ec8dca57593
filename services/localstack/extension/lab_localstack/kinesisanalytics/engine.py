"""The engine a running application drives (runner.py), as a Protocol: DuckDbEngine (embedded)
and FlinkEngine (PyFlink in .venv-flink) both satisfy it; `build_engine` picks one per
application (tag `lab:engine`, else the provider's LAB_KDA_ENGINE) and starts it."""
from __future__ import annotations

from typing import Protocol

from lab_localstack.kinesisanalytics.error_stream import ErrorRow
from lab_localstack.kinesisanalytics.kda_sql import SqlRefused, parse_application_code
from lab_localstack.kinesisanalytics.models import Application

ENGINES = ("duckdb", "flink")


class Engine(Protocol):
    name: str

    def start(self) -> None:
        """Set up the streams and pumps (SqlRefused if the code does not fit the inputs)."""

    def wait_ready(self, timeout: float) -> bool:
        """Block until the engine takes rows (Flink's job is running); False after `timeout` s."""

    def insert(self, stream: str, rows: list[tuple[int, tuple]]) -> None:
        """Append (rowtime_ms, values) rows to an input stream (or error_stream)."""

    def add_errors(self, errors: list[ErrorRow]) -> None:
        """Append rows to the in-application error stream."""

    def tick(self, now_ms: int) -> list[ErrorRow]:
        """Run the pumps on what is new; the errors they raised."""

    def read_new(self, stream: str, after_seq: int) -> tuple[list[dict], int]:
        """Rows of `stream` after `after_seq` as {column: value}, and the last sequence read."""

    def close(self) -> None:
        """Stop and free the engine."""


def engine_name(app: Application, default_engine: str) -> str:
    """The application's engine (SqlRefused if its tag names none the lab has)."""
    name = app.engine_name(default_engine)
    if name not in ENGINES:
        raise SqlRefused(f"Unknown engine '{name}' (tag lab:engine): use duckdb or flink")
    return name


def check_plan(app: Application, default_engine: str) -> None:
    """What can be checked without starting an engine: the code against the inputs, the engine's name."""
    parse_application_code(app.code, app.input_streams())
    engine_name(app, default_engine)


def build_engine(app: Application, default_engine: str) -> Engine:
    """The application's engine, started (SqlRefused if the code does not fit its inputs)."""
    inputs = app.input_streams()
    plan = parse_application_code(app.code, inputs)
    engine: Engine
    if engine_name(app, default_engine) == "flink":
        from lab_localstack.kinesisanalytics.flink_engine import FlinkEngine

        engine = FlinkEngine(plan, inputs, [o["Name"] for o in app.outputs])
    else:
        from lab_localstack.kinesisanalytics.duckdb_engine import DuckDbEngine

        engine = DuckDbEngine(plan, inputs)
    engine.start()
    return engine
