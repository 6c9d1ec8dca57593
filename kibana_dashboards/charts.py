"""One panel result -> one matplotlib figure (inline SVG for the HTML, PNG files).

matplotlib is used without pyplot (no global state, no display): each chart is
a ``Figure`` drawn by the Agg/SVG backends. Colours are OpenSearch Dashboards'
default palette, so the report looks like the dashboard it stands in for.
"""

from __future__ import annotations

import io
from pathlib import Path

from matplotlib import dates as mdates
from matplotlib.figure import Figure

from .aggregations import PanelResult

PALETTE = ["#54B399", "#6092C0", "#D36086", "#9170B8", "#CA8EAE", "#D6BF57",
           "#B9A888", "#DA8B45", "#AA6556", "#E7664C"]
NO_DATA = "No data"
WIDTH_IN, HEIGHT_IN, DPI = 8.0, 4.0, 100


def _short(text: str, limit: int = 48) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def _new_figure(height: float = HEIGHT_IN) -> Figure:
    fig = Figure(figsize=(WIDTH_IN, height), dpi=DPI)
    fig.patch.set_facecolor("white")
    return fig


def _no_data(fig: Figure, reason: str | None = None) -> None:
    ax = fig.add_subplot()
    ax.set_axis_off()
    ax.text(0.5, 0.55, NO_DATA, ha="center", va="center", fontsize=28, color="#69707D")
    if reason:
        ax.text(0.5, 0.3, _short(reason, 90), ha="center", va="center", fontsize=9,
                color="#BD271E")


def _metric(fig: Figure, result: PanelResult) -> None:
    ax = fig.add_subplot()
    ax.set_axis_off()
    values = result.series["value"]
    for i, (label, value) in enumerate(zip(result.categories, values)):
        x = (i + 0.5) / len(values)
        ax.text(x, 0.58, _number(value), ha="center", va="center", fontsize=40,
                color="#343741", fontweight="bold")
        ax.text(x, 0.28, label, ha="center", va="center", fontsize=13, color="#69707D")


def _pie(fig: Figure, result: PanelResult) -> None:
    ax = fig.add_subplot()
    values = next(iter(result.series.values()))
    pairs = [(c, v) for c, v in zip(result.categories, values) if v]
    total = sum(v for _, v in pairs)
    wedges, _ = ax.pie([v for _, v in pairs], colors=PALETTE[: len(pairs)], startangle=90,
                       counterclock=False, wedgeprops={"width": 0.45, "edgecolor": "white"})
    ax.legend(wedges, [f"{_short(c, 30)}  {_number(v)} ({v / total:.0%})" for c, v in pairs],
              loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False, fontsize=9)
    ax.set_aspect("equal")


def _time_axis(ax, result: PanelResult) -> None:
    locator = mdates.AutoDateLocator()
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.set_xlabel(f"{result.panel.x.field} per {result.interval} (UTC)", fontsize=8, color="#69707D")


def _bar_width_days(result: PanelResult) -> float:
    times = result.times or []
    if len(times) < 2:
        return 1 / 24
    return (times[1] - times[0]).total_seconds() / 86400 * 0.85


def _stacked_time(fig: Figure, result: PanelResult) -> None:
    ax = fig.add_subplot()
    bottoms = [0.0] * len(result.categories)
    for i, (label, values) in enumerate(result.series.items()):
        ax.bar(result.times, values, width=_bar_width_days(result), bottom=bottoms,
               color=PALETTE[i % len(PALETTE)], label=_short(label))
        bottoms = [b + v for b, v in zip(bottoms, values)]
    _time_axis(ax, result)
    ax.set_ylabel(result.panel.metrics[0].label)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=8)


def _lines(fig: Figure, result: PanelResult) -> None:
    ax = fig.add_subplot()
    for i, (label, values) in enumerate(result.series.items()):
        ax.plot(result.times or result.categories, values, color=PALETTE[i % len(PALETTE)],
                label=_short(label), linewidth=1.8, marker="o", markersize=2.5)
    if result.times:
        _time_axis(ax, result)
    ax.set_ylim(bottom=0)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=8)


def _bars(fig: Figure, result: PanelResult, horizontal: bool) -> None:
    ax = fig.add_subplot()
    label, values = next(iter(result.series.items()))
    names = [_short(c, 32) for c in result.categories]
    if horizontal:
        ax.barh(names[::-1], values[::-1], color=PALETTE[0])
        ax.set_xlabel(label)
    else:
        ax.bar(names, values, color=[PALETTE[i % len(PALETTE)] for i in range(len(names))])
        ax.set_ylabel(label)
        for x, value in enumerate(values):
            ax.annotate(_number(value), (x, value), ha="center", va="bottom", fontsize=9)
    ax.spines[["top", "right"]].set_visible(False)


def _table(fig: Figure, result: PanelResult) -> None:
    ax = fig.add_subplot()
    ax.set_axis_off()
    x_label = getattr(result.panel.x, "label", "") or getattr(result.panel.x, "field", "")
    columns = [x_label] + list(result.series)
    rows = [[_short(c, 80)] + [_number(values[r]) for values in result.series.values()]
            for r, c in enumerate(result.categories)]
    fig.subplots_adjust(left=0.02, right=0.98, top=0.98, bottom=0.02)
    widths = [0.78] + [0.22 / len(result.series)] * len(result.series)
    table = ax.table(cellText=rows, colLabels=columns, cellLoc="left", colLoc="left",
                     colWidths=widths, bbox=[0, 0, 1, 1])
    table.auto_set_font_size(False)
    table.set_fontsize(7.5)
    for (row, _), cell in table.get_celld().items():
        cell.set_edgecolor("#D3DAE6")
        cell.PAD = 0.02
        if row == 0:
            cell.set_facecolor("#F5F7FA")
            cell.set_text_props(fontweight="bold")


def render(result: PanelResult) -> Figure:
    """The figure for one panel ("No data" when it has no data point)."""
    if result.panel.chart == "table" and result.points:
        fig = _new_figure(0.3 + 0.24 * (len(result.categories) + 1))  # one line per row
    else:
        fig = _new_figure()
    chart = result.panel.chart
    if result.error or result.points == 0:
        _no_data(fig, result.error)
    elif chart == "metric":
        _metric(fig, result)
    elif chart == "pie":
        _pie(fig, result)
    elif chart == "histogram":
        _stacked_time(fig, result)
    elif chart == "line":
        _lines(fig, result)
    elif chart in ("bar", "horizontal_bar"):
        _bars(fig, result, horizontal=chart == "horizontal_bar")
    else:
        _table(fig, result)
    if chart not in ("metric", "table") and not (result.error or result.points == 0):
        fig.tight_layout()
    return fig


def to_svg(fig: Figure) -> str:
    """The figure as an ``<svg>`` element to inline in HTML (fonts as paths)."""
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg")
    text = buffer.getvalue()
    return text[text.index("<svg"):]


def to_png(fig: Figure, path: Path) -> None:
    """Write the figure as a PNG file."""
    fig.savefig(path, format="png", dpi=DPI)
