"""Kinesis Data Analytics SQL (the v1 dialect of AWS's SQL reference) -> an application plan.

Application code is a list of `CREATE [OR REPLACE] STREAM` and `CREATE [OR REPLACE] PUMP ... AS
INSERT INTO ... SELECT STREAM ...` statements. The KDA-only constructs of each pump's query are
rewritten to standard SQL that sqlglot parses (kda_rewrite.py); the parsed query is then
classified:
  tumbling  GROUP BY with one ROWTIME window (FLOOR/STEP, now LAB_WINDOW(ROWTIME, width ms));
            a window's rows are emitted once it has closed
  sliding   aggregates OVER a window of the stream (RANGE INTERVAL ... / ROWS ... PRECEDING);
            one output row per input row
  row       projections and WHERE filters, row by row
Anything else is refused with SqlRefused (CodeValidationException at the API), never ignored.
Identifiers: quoted ones keep their case, unquoted ones are upper-cased (SQL's rule, KDA's too).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import sqlglot
from sqlglot import exp

from lab_localstack.kinesisanalytics.kda_rewrite import WINDOW_FUNCTION, SqlRefused, rewrite_select
from lab_localstack.kinesisanalytics.sql_types import SqlType, parse_type

ERROR_STREAM = "error_stream"
_IDENT = r'(?:"[^"]+"|[A-Za-z_][A-Za-z0-9_$]*)'
_CREATE_STREAM = re.compile(
    rf"^CREATE\s+(?:OR\s+REPLACE\s+)?STREAM\s+(?P<name>{_IDENT})\s*\((?P<cols>.*)\)\s*"
    r"(?:DESCRIPTION\s+'(?:[^']|'')*')?\s*$", re.IGNORECASE | re.DOTALL)
_CREATE_PUMP = re.compile(
    rf"^CREATE\s+(?:OR\s+REPLACE\s+)?PUMP\s+(?P<name>{_IDENT})\s+(?:STARTED\s+)?AS\s+INSERT\s+INTO\s+"
    rf"(?P<target>{_IDENT})\s*(?:\((?P<cols>[^)]*)\))?\s*(?P<select>SELECT\s+STREAM\b.*)$",
    re.IGNORECASE | re.DOTALL)
_AGGREGATES = (exp.AggFunc,)


@dataclass(frozen=True)
class Column:
    name: str
    sql_type: SqlType


@dataclass(frozen=True)
class StreamDef:
    name: str
    columns: tuple[Column, ...]


@dataclass
class PumpDef:
    name: str
    target: str
    target_columns: tuple[str, ...]
    source: str
    query: exp.Select
    kind: str                                   # tumbling | sliding | row
    window_ms: int | None = None                # tumbling window width
    range_ms: int | None = None                 # longest sliding RANGE
    text: str = ""                              # the rewritten query (standard SQL)


@dataclass
class ApplicationPlan:
    streams: dict[str, StreamDef] = field(default_factory=dict)
    pumps: list[PumpDef] = field(default_factory=list)


def identifier(text: str) -> str:
    text = text.strip()
    return text[1:-1] if text.startswith('"') else text.upper()


def split_statements(code: str) -> list[str]:
    """Statements of the code, split on `;` outside quotes, comments removed."""
    statements, current, quote, i = [], [], None, 0
    while i < len(code):
        ch = code[i]
        if quote:
            current.append(ch)
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
            current.append(ch)
        elif code.startswith("--", i):
            end = code.find("\n", i)
            i = len(code) if end < 0 else end
            continue
        elif code.startswith("/*", i):
            end = code.find("*/", i + 2)
            i = len(code) if end < 0 else end + 2
            continue
        elif ch == ";":
            statements.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
        i += 1
    statements.append("".join(current).strip())
    return [s for s in statements if s]


def _split_top_level(text: str) -> list[str]:
    parts, depth, current = [], 0, []
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return [p.strip() for p in parts if p.strip()]


def _stream(match: re.Match) -> StreamDef:
    name = identifier(match.group("name"))
    columns = []
    for part in _split_top_level(match.group("cols")):
        col = re.match(rf"^({_IDENT})\s+(.+)$", part, re.DOTALL)
        if not col:
            raise SqlRefused(f"Invalid column definition '{part}' in stream \"{name}\"")
        try:
            columns.append(Column(identifier(col.group(1)), parse_type(col.group(2))))
        except ValueError as error:
            raise SqlRefused(f"{error} in stream \"{name}\"") from None
    if not columns:
        raise SqlRefused(f"Stream \"{name}\" has no columns")
    return StreamDef(name, tuple(columns))


def parse_application_code(code: str, input_streams: dict[str, StreamDef] | None = None) -> ApplicationPlan:
    """The plan of `code`; SqlRefused with a message like AWS's for what the lab cannot run."""
    plan = ApplicationPlan()
    for statement in split_statements(code or ""):
        if match := _CREATE_STREAM.match(statement):
            stream = _stream(match)
            plan.streams[stream.name] = stream
        elif match := _CREATE_PUMP.match(statement):
            plan.pumps.append(_pump(match))
        else:
            first = " ".join(statement.split()[:4])
            raise SqlRefused(
                f"SQL statement not supported: '{first} ...'. Application code may only contain "
                "CREATE [OR REPLACE] STREAM and CREATE [OR REPLACE] PUMP ... AS INSERT INTO ... SELECT STREAM "
                "statements.")
    known = set(plan.streams) | set(input_streams or {}) | {ERROR_STREAM}
    for pump in plan.pumps:
        if pump.target not in plan.streams:
            raise SqlRefused(f"Pump \"{pump.name}\" inserts into \"{pump.target}\", which is not a stream "
                             "created by the application code")
        if input_streams is not None and pump.source not in known:
            raise SqlRefused(f"Object '{pump.source}' not found (pump \"{pump.name}\")")
    plan.pumps = _topological(plan.pumps)
    return plan


def _pump(match: re.Match) -> PumpDef:
    name = identifier(match.group("name"))
    target = identifier(match.group("target"))
    target_columns = tuple(identifier(c) for c in _split_top_level(match.group("cols") or ""))
    rewritten = rewrite_select(match.group("select"), pump=name)
    try:
        query = sqlglot.parse_one(rewritten.sql, read="duckdb")
    except sqlglot.errors.ParseError as error:
        raise SqlRefused(f"Error parsing the query of pump \"{name}\": {str(error).splitlines()[0]}") from None
    if not isinstance(query, exp.Select):
        raise SqlRefused(f"Pump \"{name}\": only SELECT STREAM queries can feed a pump")
    source = _single_source(query, name)
    _refuse_unknown_functions(query, name)
    windows = [w for w in query.find_all(exp.Anonymous) if w.name.upper() == WINDOW_FUNCTION]
    group = query.args.get("group")
    over = list(query.find_all(exp.Window))
    has_aggregate = any(isinstance(a, _AGGREGATES) and not isinstance(a.parent, exp.Window)
                        for a in query.find_all(exp.AggFunc))
    pump = PumpDef(name, target, target_columns, source, query, "row", text=query.sql("duckdb"))
    if group is not None:
        keys = [w for w in windows if w.find_ancestor(exp.Group) is not None]
        widths = {int(w.expressions[1].name) for w in keys}
        if not keys:
            raise SqlRefused(
                f"Pump \"{name}\": a GROUP BY on a stream must include a monotonic expression on ROWTIME "
                "(for example FLOOR(ROWTIME TO MINUTE) or STEP(ROWTIME BY INTERVAL '10' SECOND))")
        if len(widths) != 1:
            raise SqlRefused(f"Pump \"{name}\": GROUP BY has windows of different sizes")
        if over:
            raise SqlRefused(f"Pump \"{name}\": a query cannot mix a GROUP BY window and OVER windows")
        pump.kind, pump.window_ms = "tumbling", widths.pop()
    elif over:
        pump.kind, pump.range_ms = "sliding", rewritten.range_ms
    elif has_aggregate:
        raise SqlRefused(
            f"Pump \"{name}\": an aggregate on a stream needs a GROUP BY with a ROWTIME window or an OVER "
            "window (RANGE INTERVAL ... PRECEDING)")
    return pump


def _single_source(query: exp.Select, pump: str) -> str:
    if query.args.get("joins"):
        raise SqlRefused(f"Pump \"{pump}\": joins are not supported by the lab's Kinesis Analytics")
    source = query.args.get("from_")
    table = source.this if source is not None else None
    if not isinstance(table, exp.Table):
        raise SqlRefused(f"Pump \"{pump}\": the query must read FROM one in-application stream")
    return table.name


def _refuse_unknown_functions(query: exp.Select, pump: str) -> None:
    for function in query.find_all(exp.Anonymous):
        if function.name.upper() != WINDOW_FUNCTION:
            args = ", ".join("?" for _ in function.expressions)
            raise SqlRefused(f"From line 1: No match found for function signature {function.name.upper()}({args}) "
                             f"(pump \"{pump}\")")


def _topological(pumps: list[PumpDef]) -> list[PumpDef]:
    """Pumps ordered so that a pump runs after the pumps that feed its source."""
    ordered, remaining = [], list(pumps)
    while remaining:
        targets = {p.target for p in remaining}
        ready = [p for p in remaining if p.source not in targets or p.source == p.target]
        if not ready:
            raise SqlRefused("Pumps form a cycle: " + ", ".join(f'"{p.name}"' for p in remaining))
        for pump in ready:
            ordered.append(pump)
            remaining.remove(pump)
    return ordered
