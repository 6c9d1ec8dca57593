"""The run's report: every `gold_*` table as JSON rows and a bar chart, the word cloud, the
cells that ran, what they displayed, in one `report.html`.

A gold table's chart: the bars' value is its last numeric column; the bars' label joins its
other non-numeric columns and its time-part columns (hour, day, month, year, minute). Time
series (a date/timestamp or time-part label) are drawn in time order, the others as the top 30
by value.
"""
from __future__ import annotations

import html
import json
from pathlib import Path

from notebook_runner.display import Displays, plain
from notebook_runner.execute import RunLog

GOLD_PREFIX = "gold_"
TIME_PARTS = {"year", "month", "day", "hour", "minute"}
TOP = 30


def gold_tables(spark) -> list[str]:
    return sorted(t.name for t in spark.catalog.listTables() if t.name.startswith(GOLD_PREFIX))


def _chart_columns(schema) -> tuple[list[str], str | None, bool]:
    numeric = [f.name for f in schema.fields
               if f.dataType.typeName() in ("integer", "long", "short", "byte", "double", "float", "decimal")]
    value = next((name for name in reversed(numeric) if name not in TIME_PARTS), None)
    labels = [f.name for f in schema.fields if f.name != value and (f.name not in numeric or f.name in TIME_PARTS)]
    temporal = any(f.dataType.typeName() in ("date", "timestamp", "timestamp_ntz") or f.name in TIME_PARTS
                   for f in schema.fields if f.name in labels)
    return labels, value, temporal


def bar_chart(name: str, rows: list[dict], labels: list[str], value: str, temporal: bool, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    def label(row: dict) -> str:
        return " ".join(str(row[c]) for c in labels)

    if temporal:
        picked = sorted(rows, key=lambda r: [(r[c] is None, r[c]) for c in labels])
    else:
        picked = sorted(rows, key=lambda r: (-(r[value] or 0), label(r)))[:TOP]
    fig, ax = plt.subplots(figsize=(max(6.0, 0.35 * len(picked) + 2), 4.5))
    ax.bar(range(len(picked)), [r[value] or 0 for r in picked], color="#2b6cb0")
    ax.set_xticks(range(len(picked)), [label(r) for r in picked], rotation=60, ha="right", fontsize=7)
    ax.set_ylabel(value)
    ax.set_title(name + ("" if temporal or len(rows) <= TOP else f" (top {TOP} of {len(rows)})"))
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def write_gold(spark, out: Path) -> list[dict]:
    """`<out>/gold/<table>.json` and `<out>/<table>.png` for each gold table."""
    (out / "gold").mkdir(parents=True, exist_ok=True)
    written = []
    for name in gold_tables(spark):
        frame = spark.table(name)
        rows = [{k: plain(v) for k, v in row.asDict().items()} for row in frame.collect()]
        (out / "gold" / f"{name}.json").write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")
        labels, value, temporal = _chart_columns(frame.schema)
        chart = ""
        if value is not None and rows:
            chart = f"{name}.png"
            bar_chart(name, rows, labels, value, temporal, out / chart)
        written.append({"name": name, "columns": frame.columns, "rows": rows, "chart": chart})
    return written


def _table(columns: list[str], rows: list[list], limit: int = 20) -> str:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>" for row in rows[:limit])
    more = f"<p>{len(rows) - limit} more rows</p>" if len(rows) > limit else ""
    return f"<table><tr>{head}</tr>{body}</table>{more}"


def write_html(out: Path, log: RunLog, gold: list[dict], displays: Displays, notebooks: list[str]) -> Path:
    parts = ["<!doctype html><meta charset=utf-8><title>CloudWatch lab notebooks</title>",
             ("<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;font-size:12px}"
              "td,th{border:1px solid #ccc;padding:2px 6px}.failed{color:#b00}</style>"),
             "<h1>CloudWatch Logs &rarr; Kafka &rarr; S3 &rarr; Spark: notebooks' report</h1>",
             f"<p>Notebooks: {html.escape(', '.join(notebooks))}</p>"]
    if log.error:
        parts.append(f"<h2 class=failed>Run failed</h2><pre class=failed>{html.escape(log.error)}</pre>")
    parts.append("<h2>Gold tables</h2>")
    for table in gold:
        parts.append(f"<h3>{html.escape(table['name'])} ({len(table['rows'])} rows)</h3>")
        if table["chart"]:
            parts.append(f"<img src='{table['chart']}' alt='{html.escape(table['name'])}'>")
        parts.append(_table(table["columns"], [[r[c] for c in table["columns"]] for r in table["rows"]]))
    if (out / "wordcloud.png").exists():
        parts.append("<h2>Word cloud</h2><img src='wordcloud.png' alt='word cloud'>")
    parts.append("<h2>Cells</h2>")
    parts.append(_table(["notebook", "cell", "language", "title", "seconds", "status"],
                        [[c.notebook, c.number, c.language, c.title, f"{c.seconds:.2f}", c.status] for c in log.cells],
                        limit=10_000))
    parts.append("<h2>What the cells displayed</h2>")
    for shown in displays.shown:
        parts.append(f"<h4>{html.escape(shown.notebook)} cell {shown.cell}</h4>")
        if shown.image:
            parts.append(f"<img src='{shown.image}' alt='cell {shown.cell}'>")
        elif shown.columns:
            parts.append(_table(shown.columns, shown.rows))
        else:
            parts.append(shown.html)
    path = out / "report.html"
    path.write_text("\n".join(parts) + "\n", encoding="utf-8")
    return path
