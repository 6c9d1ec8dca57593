"""`make bench`: runs every component benchmark, prints one table, writes JSON.

Each tests/bench/bench_<component>.py exposes `run(quick: bool = False)`
returning figures {"component", "metric", "value", "unit", "target", "notes"}.
A benchmark that fails is reported in the table and does not stop the others.
Figures depend on the machine: the JSON records which one.
"""
from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import sys
import time
import traceback
from pathlib import Path

import psutil

BENCH_DIR = Path(__file__).resolve().parent
# Components first, then the end-to-end ones (they start the whole lab).
ORDER = ["etl", "generator", "agent", "lambda_executor", "firehose", "data_lake", "kinesisanalytics", "e2e", "api"]


def discover() -> list[str]:
    found = {p.stem.removeprefix("bench_") for p in BENCH_DIR.glob("bench_*.py")}
    return [n for n in ORDER if n in found] + sorted(found - set(ORDER))


def machine() -> dict:
    return {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "cpu_model": next((l.split(":", 1)[1].strip() for l in Path("/proc/cpuinfo").read_text().splitlines()
                           if l.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else platform.processor(),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "load_avg_1m": os.getloadavg()[0],
    }


def verdict(fig: dict) -> str:
    target = fig.get("target")
    if not isinstance(target, (int, float)) or not isinstance(fig.get("value"), (int, float)):
        return ""
    lower_is_better = fig.get("unit", "").endswith(("ms", "s", "MB")) and not fig.get("unit", "").endswith("/s")
    ok = fig["value"] <= target if lower_is_better else fig["value"] >= target
    return "ok" if ok else "BELOW TARGET"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", default="build/bench.json")
    ap.add_argument("--quick", action="store_true", help="smaller runs, for a smoke test")
    ap.add_argument("--only", nargs="*", help="component names to run")
    args = ap.parse_args(argv)
    figures: list[dict] = []
    for name in discover():
        if args.only and name not in args.only:
            continue
        print(f"== benchmark {name} ...", flush=True)
        started = time.monotonic()
        try:
            module = importlib.import_module(f"tests.bench.bench_{name}")
            figures += module.run(quick=args.quick)
        except Exception as err:  # noqa: BLE001 (one broken benchmark must not hide the others)
            traceback.print_exc()
            figures.append({"component": name, "metric": "error", "value": float("nan"),
                            "unit": "", "target": None, "notes": f"{type(err).__name__}: {err}"})
        print(f"   ({time.monotonic() - started:.0f}s)", flush=True)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"machine": machine(), "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                               "figures": figures}, indent=2) + "\n")
    print()
    print(render_table(figures))
    print(f"\nwritten to {out} (machine noise: figures vary with load; compare runs on one machine)")
    return 0


def _number(value, spec: str) -> str:
    return format(value, spec) if isinstance(value, (int, float)) else str(value)


def render_table(figures: list[dict]) -> str:
    rows = [f"{'component':<16} {'metric':<44} {'value':>14} {'unit':<10} {'target':>10}  verdict"]
    for f in figures:
        target = "" if f.get("target") is None else _number(f["target"], "g")
        rows.append(f"{f['component']:<16} {f['metric']:<44} {_number(f['value'], ',.1f'):>14} "
                    f"{f.get('unit', ''):<10} {target:>10}  {verdict(f)}")
    return "\n".join(rows)


if __name__ == "__main__":
    sys.exit(main())
