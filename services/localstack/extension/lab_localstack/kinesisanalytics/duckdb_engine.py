"""The embedded engine: an application's in-application streams as DuckDB tables.

Every in-application stream (the input streams, the streams the code creates and
error_stream) is a table with ROWTIME (TIMESTAMP, UTC) and __seq (its insertion order).
Each tick runs the pumps in dependency order (kda_sql.py):
  row       the pump's query over the rows inserted since the last tick; ROWTIME kept
  sliding   the query over the new rows plus the RANGE before them, rows of the new input only
  tumbling  each window [start, start + width) whose end has passed, as one batch query;
            its rows get ROWTIME = window end (exact, since a window is only queried once closed)
Results are cast to the target stream's column types (VARCHAR(n) truncates, as AWS does).
A pump query that fails at run time becomes an error_stream row and the batch is skipped.
"""
from __future__ import annotations

import json
import logging
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb
from sqlglot import exp

from lab_localstack.kinesisanalytics.error_stream import (
    ERROR_STREAM_DEF,
    QUERY_ERROR,
    ErrorRow,
)
from lab_localstack.kinesisanalytics.kda_sql import ApplicationPlan, PumpDef, SqlRefused, StreamDef
from lab_localstack.kinesisanalytics.sql_types import SqlType, to_json_value

LOG = logging.getLogger(__name__)
MIN_RETENTION_MS = 120_000


def _from_json(index: int, sql_type: SqlType) -> str:
    value = f"json_extract_string(json, '$[{index}]')"
    if sql_type.base in ("BINARY", "VARBINARY"):
        return f"from_base64({value})"
    return f"CAST({value} AS {sql_type.duckdb()})"


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@dataclass
class _PumpState:
    seq: int = 0              # last source __seq handled (row, sliding)
    done_until_ms: int = 0    # end of the last window emitted (tumbling)


class DuckDbEngine:
    """Runs one application's pumps on an in-memory DuckDB (one thread uses it)."""

    name = "duckdb"

    def __init__(self, plan: ApplicationPlan, inputs: dict[str, StreamDef]):
        self.plan = plan
        self.streams: dict[str, StreamDef] = {**inputs, **plan.streams, ERROR_STREAM_DEF.name: ERROR_STREAM_DEF}
        self._con = duckdb.connect(":memory:")
        self._work = Path(tempfile.mkdtemp(prefix="kda-duckdb-"))
        self._spool = self._work / "rows.jsonl"
        self._seq = {name: 0 for name in self.streams}
        self._state = {pump.name: _PumpState() for pump in plan.pumps}
        self._read_upto: dict[str, int] = {}      # outputs: the last __seq handed out by read_new
        windows = [p.window_ms or 0 for p in plan.pumps] + [p.range_ms or 0 for p in plan.pumps]
        self._retention_ms = max([MIN_RETENTION_MS] + [2 * w for w in windows])

    # --- set-up ------------------------------------------------------------------
    def start(self) -> None:
        """Creates the tables and checks every pump against them (SqlRefused names what is wrong)."""
        self._con.execute("CREATE MACRO LAB_WINDOW(ts, w) AS "
                          "epoch_ms(CAST(floor(epoch_ms(ts) / w) * w AS BIGINT))")
        for stream in self.streams.values():
            columns = ", ".join(f"{_q(c.name)} {c.sql_type.duckdb()}" for c in stream.columns)
            self._con.execute(f'CREATE TABLE {_q(stream.name)} ("ROWTIME" TIMESTAMP, "__seq" BIGINT, {columns})')
        for pump in self.plan.pumps:
            if pump.source not in self.streams:
                raise SqlRefused(f"Object '{pump.source}' not found (pump \"{pump.name}\")")
            try:
                self._con.execute(self._insert_sql(pump, "0", "1 = 0", "TIMESTAMP '1970-01-01'"))
            except duckdb.Error as error:
                raise SqlRefused(f"Pump \"{pump.name}\": {str(error).splitlines()[0]}") from None

    def wait_ready(self, timeout: float) -> bool:
        return True     # takes rows as soon as started

    def close(self) -> None:
        self._con.close()
        shutil.rmtree(self._work, ignore_errors=True)

    # --- data in and out ---------------------------------------------------------------
    def insert(self, stream: str, rows: list[tuple[int, tuple]]) -> None:
        """Appends (rowtime_ms, values) rows to an input stream (or error_stream).

        Rows go through a JSON-lines file read by DuckDB: binding Python parameters row by
        row (executemany) is ~100 times slower."""
        if not rows:
            return
        first = self._seq[stream] + 1
        columns = self.streams[stream].columns
        with open(self._spool, "w") as spool:
            spool.writelines(json.dumps([ms, first + i, *(to_json_value(v) for v in values)]) + "\n" for i, (ms, values) in enumerate(rows))
        extract = ", ".join(_from_json(i + 2, c.sql_type) for i, c in enumerate(columns))
        self._con.execute(
            f"INSERT INTO {_q(stream)} SELECT epoch_ms(CAST(json_extract_string(json, '$[0]') AS BIGINT)), "
            f"CAST(json_extract_string(json, '$[1]') AS BIGINT), {extract} "
            f"FROM read_json_objects(?, format = 'newline_delimited')", [str(self._spool)])
        self._seq[stream] = first + len(rows) - 1

    def add_errors(self, errors: list[ErrorRow]) -> None:
        self.insert(ERROR_STREAM_DEF.name, [(e.time_ms, e.values()) for e in errors])

    def read_new(self, stream: str, after_seq: int) -> tuple[list[dict], int]:
        """Rows of `stream` after `after_seq` as {column: value}, and the last __seq read."""
        columns = [c.name for c in self.streams[stream].columns]
        cursor = self._con.execute(
            f'SELECT "__seq", {", ".join(_q(c) for c in columns)} FROM {_q(stream)} '
            f'WHERE "__seq" > ? ORDER BY "__seq"', [after_seq])
        rows = cursor.fetchall()
        self._read_upto[stream] = max(self._read_upto.get(stream, 0), after_seq)
        if not rows:
            return [], after_seq
        self._read_upto[stream] = rows[-1][0]
        return [dict(zip(columns, row[1:])) for row in rows], rows[-1][0]

    # --- pumps ---------------------------------------------------------------------------
    def tick(self, now_ms: int) -> list[ErrorRow]:
        """Runs every pump on what is new (see the module docstring); returns the errors."""
        errors: list[ErrorRow] = []
        for pump in self.plan.pumps:
            try:
                if pump.kind == "tumbling":
                    self._tumbling(pump, now_ms)
                else:
                    self._incremental(pump)
            except duckdb.Error as error:
                LOG.warning("pump %s failed: %s", pump.name, error)
                errors.append(ErrorRow(QUERY_ERROR, str(error).splitlines()[0], pump_name=pump.name))
                self._skip(pump, now_ms)
        if errors:
            self.add_errors(errors)
        self._forget(now_ms)
        return errors

    def _incremental(self, pump: PumpDef) -> None:
        state = self._state[pump.name]
        high = self._seq[pump.source]
        if high <= state.seq:
            return
        if pump.kind == "row":
            where = f'"__seq" > {state.seq} AND "__seq" <= {high}'
        else:
            low_ms = self._con.execute(f'SELECT epoch_ms(min("ROWTIME")) FROM {_q(pump.source)} WHERE "__seq" > ?',
                                       [state.seq]).fetchone()[0]
            horizon = f'"ROWTIME" >= epoch_ms({low_ms - pump.range_ms}) AND ' if pump.range_ms else ""
            where = f'{horizon}"__seq" <= {high}'
        self._con.execute(self._insert_sql(pump, state.seq, where, '"__lab_rt"'))
        self._sync(pump.target)
        state.seq = high

    def _tumbling(self, pump: PumpDef, now_ms: int) -> None:
        state, width = self._state[pump.name], pump.window_ms
        while True:
            first = self._con.execute(
                f'SELECT epoch_ms(min("ROWTIME")) FROM {_q(pump.source)} WHERE "ROWTIME" >= epoch_ms(?)',
                [state.done_until_ms]).fetchone()[0]
            if first is None:
                return
            start = first // width * width
            end = start + width
            if end > now_ms:
                return
            where = f'"ROWTIME" >= epoch_ms({start}) AND "ROWTIME" < epoch_ms({end})'
            self._con.execute(self._insert_sql(pump, 0, where, f"epoch_ms({end})"))
            self._sync(pump.target)
            state.done_until_ms = end

    def _skip(self, pump: PumpDef, now_ms: int) -> None:
        state = self._state[pump.name]
        state.seq = self._seq[pump.source]
        if pump.window_ms:
            state.done_until_ms = now_ms // pump.window_ms * pump.window_ms

    def _insert_sql(self, pump: PumpDef, after_seq, where: str, rowtime: str) -> str:
        """INSERT INTO target SELECT ... for the pump's query over the source rows matching `where`."""
        target = self.streams[pump.target]
        names = list(pump.target_columns) or [c.name for c in target.columns]
        by_name = {c.name: c for c in target.columns}
        unknown = [n for n in names if n not in by_name]
        if unknown:
            raise SqlRefused(f"Unknown target column '{unknown[0]}' in pump \"{pump.name}\"")
        query = pump.query.copy()
        projections = query.expressions
        if any(isinstance(p, exp.Star) for p in projections) and len(projections) == 1:
            source = self.streams[pump.source]
            projections = [exp.column(c.name, quoted=True) for c in source.columns]
        if len(projections) != len(names):
            raise SqlRefused(f"Number of INSERT target columns ({len(names)}) does not equal number of source "
                             f"items ({len(projections)}) in pump \"{pump.name}\"")
        aliased = [exp.alias_(p.unalias() if isinstance(p, exp.Alias) else p, f"__c{i}", quoted=True)
                   for i, p in enumerate(projections)]
        aliased.append(exp.alias_(exp.column("ROWTIME", quoted=True), "__lab_rt", quoted=True))
        aliased.append(exp.alias_(exp.column("__seq", quoted=True), "__lab_seq", quoted=True))
        if pump.kind == "tumbling":
            aliased = aliased[:-2]
        query.set("expressions", aliased)
        body = query.sql("duckdb")
        source = _q(pump.source)
        casts = ", ".join(by_name[n].sql_type.duckdb_cast(f'"__c{i}"') for i, n in enumerate(names))
        outer_where = f'WHERE "__lab_seq" > {after_seq}' if pump.kind == "sliding" else ""
        order = '"__lab_seq"' if pump.kind != "tumbling" else "1"
        base = self._seq[pump.target]
        return (f'INSERT INTO {_q(target.name)} ("ROWTIME", "__seq", {", ".join(_q(n) for n in names)}) '
                f"WITH {source} AS (SELECT * FROM main.{source} WHERE {where}) "
                f"SELECT {rowtime}, {base} + row_number() OVER (ORDER BY {order}), {casts} "
                f"FROM ({body}) AS __lab_q {outer_where}")

    def _sync(self, stream: str) -> None:
        self._seq[stream] = self._con.execute(
            f'SELECT coalesce(max("__seq"), ?) FROM {_q(stream)}', [self._seq[stream]]).fetchone()[0]

    def _forget(self, now_ms: int) -> None:
        """Drops rows older than the retention, but never rows an output has not read yet."""
        horizon = now_ms - self._retention_ms
        for name in self.streams:
            unread = f' AND "__seq" <= {self._read_upto[name]}' if name in self._read_upto else ""
            self._con.execute(f'DELETE FROM {_q(name)} WHERE "ROWTIME" < epoch_ms(?){unread}', [horizon])
