"""Rewrites the Kinesis Data Analytics-only syntax of a pump's SELECT into standard SQL.

  SELECT STREAM ...                                   -> SELECT ...
  ROWTIME / "S".ROWTIME                               -> "ROWTIME" / "S"."ROWTIME"
  FLOOR(ROWTIME TO MINUTE)                            -> LAB_WINDOW("ROWTIME", 60000)
  STEP(ROWTIME BY INTERVAL '10' SECOND)               -> LAB_WINDOW("ROWTIME", 10000)
  FLOOR((ROWTIME - TIMESTAMP '1970-01-01 00:00:00') SECOND / 10 TO SECOND)
                                                      -> LAB_WINDOW("ROWTIME", 10000)
  FLOOR(<other timestamp> TO HOUR)                    -> date_trunc('hour', <other timestamp>)
  RANGE INTERVAL '1' MINUTE PRECEDING                 -> ORDER BY "ROWTIME" RANGE BETWEEN INTERVAL '1' MINUTE
                                                         PRECEDING AND CURRENT ROW
  ROWS 10 PRECEDING                                   -> ORDER BY "ROWTIME" ROWS BETWEEN 10 PRECEDING AND CURRENT ROW
LAB_WINDOW(ts, width_ms) is the start of ts's tumbling window of that width, aligned on the
epoch; each engine defines it (DuckDB: a macro; Flink: TUMBLE). The scanning is small and
quote-aware; everything else is left to sqlglot.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

WINDOW_FUNCTION = "LAB_WINDOW"
UNIT_MS = {"SECOND": 1000, "MINUTE": 60_000, "HOUR": 3_600_000, "DAY": 86_400_000}
_UNIT = r"(SECOND|MINUTE|HOUR|DAY)"
_ROWTIME_REF = re.compile(r'^(?:"[^"]+"\.|[A-Za-z_][A-Za-z0-9_]*\.)?"ROWTIME"$')
_EPOCH_DIFF = re.compile(
    rf"^\(\s*(?P<ts>.+?)\s*-\s*TIMESTAMP\s*'1970-01-01 00:00:00(?:\.0+)?'\s*\)\s*{_UNIT}\s*(?:/\s*(?P<n>\d+))?$",
    re.IGNORECASE | re.DOTALL)
_TO_UNIT = re.compile(rf"^(?P<arg>.+)\s+TO\s+{_UNIT}$", re.IGNORECASE | re.DOTALL)
_STEP = re.compile(rf"^(?P<ts>.+?)\s+BY\s+INTERVAL\s+'(?P<n>\d+)'\s+{_UNIT}$", re.IGNORECASE | re.DOTALL)
_RANGE = re.compile(rf"\bRANGE\s+INTERVAL\s+'(?P<n>\d+)'\s+{_UNIT}\s+PRECEDING\b", re.IGNORECASE)
_ROWS = re.compile(r"\bROWS\s+(?P<n>\d+)\s+PRECEDING\b", re.IGNORECASE)


@dataclass(frozen=True)
class Rewritten:
    sql: str
    range_ms: int | None       # the longest RANGE INTERVAL of the query's OVER windows


class SqlRefused(ValueError):
    """Application code the lab cannot run as AWS would; the message is shown to the caller."""


def _outside_quotes(text: str) -> list[tuple[int, int]]:
    """(start, end) spans of text that are not inside '...' or "..." quotes."""
    spans, start, quote = [], 0, None
    for i, ch in enumerate(text):
        if quote:
            if ch == quote:
                quote, start = None, i + 1
        elif ch in "'\"":
            spans.append((start, i))
            quote = ch
    if quote is None:
        spans.append((start, len(text)))
    return spans


def _sub_unquoted(pattern: re.Pattern, replace, text: str) -> str:
    """pattern.sub on text, leaving matches that start inside quotes alone."""
    spans = _outside_quotes(text)

    def replace_if_unquoted(match: re.Match) -> str:
        if not any(start <= match.start() < end for start, end in spans):
            return match.group(0)
        return replace(match) if callable(replace) else match.expand(replace)

    return pattern.sub(replace_if_unquoted, text)


def _closing_paren(text: str, open_at: int) -> int:
    depth, quote = 0, None
    for i in range(open_at, len(text)):
        ch = text[i]
        if quote:
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return i
    raise SqlRefused("Unbalanced parentheses in the query")


def _window_call(ts: str, width_ms: int, pump: str) -> str:
    ts = ts.strip()
    if not _ROWTIME_REF.match(ts):
        raise SqlRefused(f"Pump \"{pump}\": windows are supported on ROWTIME only, not on {ts}")
    return f"{WINDOW_FUNCTION}({ts}, {width_ms})"


def _floor(inner: str, pump: str) -> str | None:
    to_unit = _TO_UNIT.match(inner.strip())
    if not to_unit:
        return None                                    # ordinary numeric FLOOR(x)
    arg, unit = to_unit.group("arg").strip(), to_unit.group(2).upper()
    if epoch := _EPOCH_DIFF.match(arg):
        if epoch.group(2).upper() != unit:
            raise SqlRefused(f"Pump \"{pump}\": FLOOR of an interval in {epoch.group(2)} TO {unit} is not supported")
        return _window_call(epoch.group("ts"), UNIT_MS[unit] * int(epoch.group("n") or 1), pump)
    if _ROWTIME_REF.match(arg):
        return _window_call(arg, UNIT_MS[unit], pump)
    return f"date_trunc('{unit.lower()}', {arg})"


def _step(inner: str, pump: str) -> str:
    match = _STEP.match(inner.strip())
    if not match:
        raise SqlRefused(f"Pump \"{pump}\": STEP needs the form STEP(ROWTIME BY INTERVAL 'n' SECOND|MINUTE|HOUR|DAY)")
    return _window_call(match.group("ts"), UNIT_MS[match.group(3).upper()] * int(match.group("n")), pump)


def _rewrite_calls(sql: str, pump: str) -> str:
    call = re.compile(r"\b(FLOOR|STEP)\s*\(", re.IGNORECASE)
    position = 0
    while True:
        match = next((m for m in call.finditer(sql, position) if _unquoted_at(sql, m.start())), None)
        if match is None:
            return sql
        open_at = match.end() - 1
        close_at = _closing_paren(sql, open_at)
        inner = _rewrite_calls(sql[open_at + 1:close_at], pump)
        if match.group(1).upper() == "STEP":
            replacement = _step(inner, pump)
        else:
            replacement = _floor(inner, pump) or f"FLOOR({inner})"
        sql = sql[:match.start()] + replacement + sql[close_at + 1:]
        position = match.start() + len(replacement)


def _unquoted_at(text: str, index: int) -> bool:
    return any(start <= index < end for start, end in _outside_quotes(text))


def rewrite_select(select: str, pump: str) -> Rewritten:
    """Standard SQL for the KDA query `select` (see the module docstring)."""
    sql = _sub_unquoted(re.compile(r"\bSELECT\s+STREAM\b", re.IGNORECASE), "SELECT", select)
    sql = _sub_unquoted(re.compile(r"(?<![\w.])ROWTIME\b", re.IGNORECASE), '"ROWTIME"', sql)
    sql = _sub_unquoted(re.compile(r"\.ROWTIME\b", re.IGNORECASE), '."ROWTIME"', sql)
    sql = _rewrite_calls(sql, pump)
    ranges = [int(m.group("n")) * UNIT_MS[m.group(2).upper()] for m in _RANGE.finditer(sql)
              if _unquoted_at(sql, m.start())]
    sql = _sub_unquoted(_RANGE, lambda m: f"ORDER BY \"ROWTIME\" RANGE BETWEEN INTERVAL '{m.group('n')}' "
                                          f"{m.group(2).upper()} PRECEDING AND CURRENT ROW", sql)
    sql = _sub_unquoted(_ROWS, lambda m: f"ORDER BY \"ROWTIME\" ROWS BETWEEN {m.group('n')} PRECEDING AND CURRENT ROW",
                        sql)
    return Rewritten(sql, max(ranges) if ranges else None)
