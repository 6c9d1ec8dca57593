"""`display()` and `displayHTML()`: what a cell shows, collected and recorded for the report.

- a Spark DataFrame: its first 1,000 rows are collected (Databricks shows the first 1,000 too)
  and printed as a table on stdout;
- a list of rows / FileInfo / dicts: recorded as a table;
- a WordCloud: saved as `wordcloud.png` in the report folder;
- a matplotlib figure or a PIL image: saved as `<notebook>-cell<N>.png`.
"""
from __future__ import annotations

import datetime as dt
import decimal
import html
from dataclasses import dataclass, field
from pathlib import Path

MAX_ROWS = 1000


@dataclass
class Shown:
    notebook: str
    cell: int
    columns: list[str] = field(default_factory=list)
    rows: list[list] = field(default_factory=list)
    image: str = ""   # file name in the report folder
    html: str = ""


def plain(value):
    """A value as JSON can hold it."""
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (bytes, bytearray)):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if hasattr(value, "asDict"):
        return plain(value.asDict())
    return value


def _text_table(columns: list[str], rows: list[list], limit: int = 20) -> str:
    cells = [columns] + [[str(v) for v in row] for row in rows[:limit]]
    widths = [min(40, max(len(r[i]) for r in cells)) for i in range(len(columns))]
    lines = [" | ".join(value[:40].ljust(w) for value, w in zip(row, widths)) for row in cells]
    more = f"\n... {len(rows) - limit} more rows" if len(rows) > limit else ""
    return "\n".join(lines) + more


class Displays:
    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.shown: list[Shown] = []
        self.current: tuple[str, int] = ("", 0)

    def _record(self, **fields) -> Shown:
        shown = Shown(self.current[0], self.current[1], **fields)
        self.shown.append(shown)
        return shown

    def display(self, obj=None, *args, **kwargs) -> None:
        kind = type(obj).__module__ + "." + type(obj).__name__
        if hasattr(obj, "schema") and hasattr(obj, "limit"):  # a Spark DataFrame (classic or Connect)
            columns = list(obj.columns)
            rows = [[plain(v) for v in row] for row in obj.limit(MAX_ROWS).collect()]
            self._record(columns=columns, rows=rows)
            print(_text_table(columns, rows), flush=True)
        elif kind.startswith("wordcloud."):
            obj.to_file(str(self.out_dir / "wordcloud.png"))
            self._record(image="wordcloud.png")
        elif kind.startswith(("matplotlib.", "PIL.")):
            name = f"{self.current[0]}-cell{self.current[1]}.png"
            (obj.savefig if hasattr(obj, "savefig") else obj.save)(str(self.out_dir / name))
            self._record(image=name)
        elif isinstance(obj, list) and obj and (hasattr(obj[0], "_fields") or hasattr(obj[0], "asDict")):
            first = obj[0]
            columns = list(first._fields if hasattr(first, "_fields") else first.asDict())
            rows = [[plain(v) for v in item] for item in obj[:MAX_ROWS]]
            self._record(columns=columns, rows=rows)
            print(_text_table(columns, rows), flush=True)
        else:
            self._record(html=f"<pre>{html.escape(repr(obj))}</pre>")
            print(repr(obj), flush=True)

    def display_html(self, markup: str) -> None:
        self._record(html=markup)
