"""One figure of `make bench`: the row run_all prints beside its baseline and writes to
build/bench.json (component, metric, value, unit, target, notes)."""
from __future__ import annotations

import argparse
from collections.abc import Callable


def figure(component: str, metric: str, value: float, unit: str, target: str | None = None,
           notes: str = "", digits: int | None = None) -> dict:
    """The row; `digits` rounds the value (None: as measured)."""
    return {"component": component, "metric": metric,
            "value": value if digits is None else round(value, digits), "unit": unit,
            "target": target, "notes": notes}


def print_figures(run: Callable[..., list[dict]], description: str) -> None:
    """A bench module's command line (`python -m tests.bench.bench_<name> [--quick]`): its figures,
    one per line."""
    parser = argparse.ArgumentParser(description=description.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    for row in run(quick=parser.parse_args().quick):
        print(f"{row['metric']:<40} {row['value']:>12} {row['unit']:<10} target {row['target']}  ({row['notes']})")
