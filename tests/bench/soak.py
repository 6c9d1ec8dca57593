"""`make soak`: sustained load on the native lab; fails if backlog or memory grows without bound.

The generator's file mode appends `--rate` lines/s (default 1,000) to Apache's
access log for `--duration` seconds (default 600). Every `--sample-every`
seconds the soak records:

    backlog   lines written - lines accounted for (index documents +
              processing-failed + delivery-failed + dropped, from the counters)
    memory    RSS of each supervised program with its children (opensearch,
              localstack incl. the Lambda runtimes, apache, agent)

Verdicts (on the samples after the first third, once start-up effects passed):
- backlog: its slope must stay under 2% of the input rate (a pipeline that
  keeps up has a flat backlog; one falling behind grows it at its deficit), and
  after the traffic stops every line must be accounted for within the drain time;
- memory of the agent and Apache: slope under 1 MB/min (they hold nothing);
- memory of the two stores: the OpenSearch-API server and LocalStack's S3 keep
  every document / backup object in memory by design, so their growth is
  reported per line written and fails only past 64 KB per line (a leak, not data;
  the OpenSearch-API server was measured at ~17-20 KB per document).
Prints a table of the samples and the verdicts; writes them as JSON (--out).
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import psutil

from tests.bench.bench_e2e import _accounted_by_counters
from tests.support.native_lab import NativeLab
from tests.support.waiting import wait_for

PROGRAMS = ("opensearch", "dashboards", "localstack", "apache", "agent")
STORES = ("opensearch", "localstack")
BACKLOG_SLOPE_SHARE = 0.02
PROCESS_SLOPE_MB_PER_MIN = 1.0
STORE_BYTES_PER_LINE = 64 * 1024   # headroom per line for the index and S3 on disk


@dataclass
class Sample:
    elapsed_s: float
    written: int
    accounted: int
    buffered_in_firehose: int
    rss_mb: dict[str, float]

    @property
    def backlog(self) -> int:
        return self.written - self.accounted


class LineCounter:
    """Counts lines in the access log incrementally (the soak never rotates it)."""

    def __init__(self, path: Path):
        self.path = path
        self.offset = 0
        self.lines = 0

    def count(self) -> int:
        if self.path.exists():
            with open(self.path, "rb") as f:
                f.seek(self.offset)
                while chunk := f.read(1 << 20):
                    self.lines += chunk.count(b"\n")
                    self.offset += len(chunk)
        return self.lines


def tree_rss_mb(pid: int) -> float:
    try:
        proc = psutil.Process(pid)
        procs = [proc] + proc.children(recursive=True)
    except psutil.Error:
        return 0.0
    total = 0
    for p in procs:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total / 2**20


def slope(xs: list[float], ys: list[float]) -> float:
    """Least-squares slope of ys over xs (0 with fewer than two points)."""
    if len(xs) < 2:
        return 0.0
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    var = sum((x - mx) ** 2 for x in xs)
    return 0.0 if var == 0 else sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / var


def take_sample(nl: NativeLab, counter: LineCounter, started: float) -> Sample:
    rss = {name: round(tree_rss_mb(nl.program_pid(name)), 1) for name in PROGRAMS}
    return Sample(round(time.monotonic() - started, 1), counter.count(), _accounted_by_counters(nl),
                  int(nl.firehose().get("buffered_records", 0)), rss)


def verdicts(samples: list[Sample], rate: float, drained: bool, lines: int) -> list[tuple[str, bool, str]]:
    steady = samples[len(samples) // 3:]
    xs = [s.elapsed_s for s in steady]
    out = []
    backlog_slope = slope(xs, [s.backlog for s in steady])
    out.append(("backlog slope", backlog_slope < BACKLOG_SLOPE_SHARE * rate,
                f"{backlog_slope:+.1f} lines/s (limit {BACKLOG_SLOPE_SHARE * rate:.0f})"))
    out.append(("drained after traffic", drained, "every line accounted for" if drained else "lines missing"))
    for name in PROGRAMS:
        ys = [s.rss_mb[name] for s in steady]
        per_min = slope(xs, ys) * 60
        if name in STORES:
            growth = (samples[-1].rss_mb[name] - samples[0].rss_mb[name]) * 2**20
            per_line = growth / max(1, lines)
            out.append((f"{name} memory", per_line < STORE_BYTES_PER_LINE,
                        (f"{per_min:+.1f} MB/min, {per_line:,.0f} bytes per line held "
                         f"(store; limit {STORE_BYTES_PER_LINE:,})")))
        else:
            out.append((f"{name} memory", per_min < PROCESS_SLOPE_MB_PER_MIN,
                        f"{per_min:+.2f} MB/min (limit {PROCESS_SLOPE_MB_PER_MIN})"))
    return out


def soak(duration: float, rate: float, sample_every: float, state_dir: Path) -> dict:
    nl = NativeLab.start(state_dir)
    try:
        counter = LineCounter(nl.access_log)
        started = time.monotonic()
        generator = subprocess.Popen(
            [sys.executable, "-m", "generator", "--file", str(nl.access_log), "--rate", str(rate),
             "--duration", str(duration), "--seed", "4242"], stdout=subprocess.DEVNULL)
        samples: list[Sample] = []
        print(f"{'t (s)':>7} {'written':>9} {'backlog':>8} {'firehose buf':>12}  "
              + " ".join(f"{n + ' MB':>14}" for n in PROGRAMS), flush=True)
        while True:
            sample = take_sample(nl, counter, started)
            samples.append(sample)
            print(f"{sample.elapsed_s:>7.0f} {sample.written:>9,} {sample.backlog:>8,} "
                  f"{sample.buffered_in_firehose:>12,}  "
                  + " ".join(f"{sample.rss_mb[n]:>14.1f}" for n in PROGRAMS), flush=True)
            if generator.poll() is not None:
                break
            time.sleep(max(0.0, sample_every - (time.monotonic() - started - sample.elapsed_s)))
        lines = counter.count()
        try:
            wait_for(lambda: _accounted_by_counters(nl) >= lines, timeout=300, interval=1, what="the backlog drained")
            drained = True
        except AssertionError:
            drained = False
        samples.append(take_sample(nl, counter, started))
    finally:
        nl.stop()
    checks = verdicts(samples, rate, drained, lines)
    return {"duration_s": duration, "rate": rate, "lines": lines, "generator_exit": generator.returncode,
            "samples": [{**asdict(s), "backlog": s.backlog} for s in samples],
            "verdicts": [{"check": c, "ok": ok, "detail": d} for c, ok, d in checks]}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--duration", type=float, default=600, help="seconds of traffic (default 600)")
    ap.add_argument("--rate", type=float, default=1000, help="lines per second (default 1000)")
    ap.add_argument("--sample-every", type=float, default=10, help="seconds between samples (default 10)")
    ap.add_argument("--out", default="build/soak.json", help="JSON result (default build/soak.json)")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="soak-") as tmp:
        result = soak(args.duration, args.rate, args.sample_every, Path(tmp) / "lab")
    print(f"\n{result['lines']:,} lines at {args.rate:g}/s for {args.duration:g}s")
    for v in result["verdicts"]:
        print(f"  {'ok  ' if v['ok'] else 'FAIL'}  {v['check']:<24} {v['detail']}")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"written to {out} (machine noise: a loaded machine shifts every figure)")
    return 0 if all(v["ok"] for v in result["verdicts"]) and result["generator_exit"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
