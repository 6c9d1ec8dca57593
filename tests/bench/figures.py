"""One figure of `make bench`: the row run_all prints beside its baseline and writes to
build/bench.json (component, metric, value, unit, target, notes)."""
from __future__ import annotations


def figure(component: str, metric: str, value: float, unit: str, target: str | None = None,
           notes: str = "", digits: int | None = None) -> dict:
    """The row; `digits` rounds the value (None: as measured)."""
    return {"component": component, "metric": metric,
            "value": value if digits is None else round(value, digits), "unit": unit,
            "target": target, "notes": notes}
