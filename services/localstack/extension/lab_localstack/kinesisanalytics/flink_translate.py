"""An application plan (kda_sql.py) -> Flink SQL statements for the PyFlink job (flink_job.py).

Each input in-application stream is a filesystem table of JSON-lines files the engine writes
(`<stream>__raw`, event time ROWTIME with a 3 s watermark delay) and a view `<stream>` without
the engine's heartbeat rows (they only move the watermark on). Each stream the code creates is
a view over its pump's query, with the values cast to the stream's column types and a ROWTIME:
the source row's for row pumps, TUMBLE_ROWTIME (the window end) for tumbling pumps, whose
LAB_WINDOW(ROWTIME, w) becomes TUMBLE(ROWTIME, INTERVAL 'w' SECOND) in GROUP BY and
TUMBLE_START in the select list. Sliding (OVER) pumps and more than one pump per stream are
refused on this engine (SqlRefused), as are windows that are not whole seconds.
"""
from __future__ import annotations

from sqlglot import exp

from lab_localstack.kinesisanalytics.kda_rewrite import WINDOW_FUNCTION
from lab_localstack.kinesisanalytics.kda_sql import ApplicationPlan, PumpDef, SqlRefused, StreamDef

HEARTBEAT = "__lab_heartbeat"
# Flink lists the input directory every second and reads the new files in no set order: the
# watermark waits long enough for a second's files read out of order, and a stall.
WATERMARK_DELAY_S = 3


def _b(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def source_ddl(stream: StreamDef, directory: str) -> list[str]:
    columns = ", ".join(f"{_b(c.name)} {c.sql_type.flink()}" for c in stream.columns)
    raw = _b(stream.name + "__raw")
    return [
        (f"CREATE TABLE {raw} ({columns}, `ROWTIME` TIMESTAMP(3), {_b(HEARTBEAT)} BOOLEAN, "
        f"WATERMARK FOR `ROWTIME` AS `ROWTIME` - INTERVAL '{WATERMARK_DELAY_S}' SECOND) WITH ("
        f"'connector' = 'filesystem', 'path' = 'file://{directory}', 'format' = 'json', "
        "'json.timestamp-format.standard' = 'SQL', 'json.ignore-parse-errors' = 'true', "
        "'source.monitor-interval' = '1 s')"),
        (f"CREATE TEMPORARY VIEW {_b(stream.name)} AS SELECT "
        f"{', '.join(_b(c.name) for c in stream.columns)}, `ROWTIME` FROM {raw} WHERE {_b(HEARTBEAT)} IS NOT TRUE"),
    ]


def _tumble(call: exp.Anonymous, function: str) -> exp.Anonymous:
    width_ms = int(call.expressions[1].name)
    if width_ms % 1000:
        raise SqlRefused(f"The Flink engine needs windows of whole seconds, not {width_ms} ms")
    interval = exp.Interval(this=exp.Literal.string(str(width_ms // 1000)), unit=exp.Var(this="SECOND"))
    return exp.Anonymous(this=function, expressions=[call.expressions[0].copy(), interval])


def pump_view(pump: PumpDef, plan: ApplicationPlan, streams: dict[str, StreamDef]) -> str:
    """CREATE TEMPORARY VIEW <target> AS ... for one pump."""
    if pump.kind == "sliding":
        raise SqlRefused(f"Pump \"{pump.name}\": sliding windows are not supported on the Flink engine yet")
    target = streams[pump.target]
    names = list(pump.target_columns) or [c.name for c in target.columns]
    types = {c.name: c.sql_type for c in target.columns}
    query = pump.query.copy()
    windows = [w for w in query.find_all(exp.Anonymous) if w.name.upper() == WINDOW_FUNCTION]
    group_call = None
    for call in windows:
        in_group = call.find_ancestor(exp.Group) is not None
        replacement = _tumble(call, "TUMBLE" if in_group else "TUMBLE_START")
        if in_group and group_call is None:
            group_call = call
        call.replace(replacement)
    projections = query.expressions
    if len(projections) != len(names):
        raise SqlRefused(f"Number of INSERT target columns ({len(names)}) does not equal number of source items "
                         f"({len(projections)}) in pump \"{pump.name}\"")
    aliased = [exp.alias_(p.unalias() if isinstance(p, exp.Alias) else p, f"__c{i}") for i, p in enumerate(projections)]
    if group_call is not None:
        rowtime = _tumble(group_call, "TUMBLE_ROWTIME")
    else:
        rowtime = exp.column("ROWTIME", quoted=True)
    aliased.append(exp.alias_(rowtime, "__lab_rt"))
    query.set("expressions", aliased)
    body = query.sql("spark")
    casts = ", ".join(f"CAST(`__c{i}` AS {types[n].flink()}) AS {_b(n)}" for i, n in enumerate(names))
    return f"CREATE TEMPORARY VIEW {_b(target.name)} AS SELECT {casts}, `__lab_rt` AS `ROWTIME` FROM ({body}) AS q"


def job_statements(plan: ApplicationPlan, inputs: dict[str, StreamDef], directories: dict[str, str]) -> list[str]:
    """Every statement of the job: sources, then one view per pump in dependency order."""
    fed = [p.target for p in plan.pumps]
    if len(fed) != len(set(fed)):
        raise SqlRefused("The Flink engine supports one pump per in-application stream")
    streams = {**inputs, **plan.streams}
    statements = [s for name, stream in inputs.items() for s in source_ddl(stream, directories[name])]
    statements += [pump_view(p, plan, streams) for p in plan.pumps]
    return statements
