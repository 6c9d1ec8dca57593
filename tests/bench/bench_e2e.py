"""End-to-end benchmarks on the native lab (1 s buffer interval).

throughput  a file-mode burst (50,000 lines; --quick 5,000) appended to the access
            log at once, until every line is accounted for (documents in the index
            + processing-failed + delivery-failed + dropped, from the counters),
            then checked per line (tests/support/line_accounting.py).
freshness   requests through Apache, each with a unique PHPSESSID cookie (the
            marker); one poller searches the index for all outstanding markers
            every 50 ms. Latency = from sending the request (Apache writes its line
            when it answers) to the document being searchable: p50 and p95.

Run alone: `python -m tests.bench.bench_e2e [--quick]`; `make bench` runs it with the others.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import requests
from labctl import settings as lab

from tests.support.native_lab import NativeLab, generated_lines
from tests.support.waiting import wait_for

COMPONENT = "e2e"


def _accounted_by_counters(nl: NativeLab) -> int:
    """index documents + processing-failed + delivery-failed + dropped, from counters."""
    counters = nl.firehose()
    try:
        indexed = requests.get(f"{nl.settings.opensearch_url}/{lab.INDEX_NAME}/_count", timeout=10).json()["count"]
    except (requests.RequestException, ValueError, KeyError):
        indexed = 0
    return indexed + sum(int(counters.get(k, 0)) for k in ("processing_failed", "delivery_failed", "dropped"))


def throughput(nl: NativeLab, count: int) -> list[dict]:
    lines = generated_lines(count, seed=7001)
    case = nl.begin_case("burst")
    started = time.monotonic()
    nl.append_lines(case, lines, lines_per_write=5000)
    wait_for(lambda: _accounted_by_counters(nl) >= len(nl.ledger), timeout=max(300, count / 50),
             interval=0.25, what="the burst accounted for")
    elapsed = time.monotonic() - started
    whole = nl.account_all(timeout=120)
    notes = (f"{count:,} lines in {elapsed:.1f}s; per line: {whole.indexed} indexed, "
             f"{whole.processing_failed} processing-failed, {whole.lost} lost, {whole.duplicated} duplicated")
    return [{"component": COMPONENT, "metric": "throughput, file-mode burst to index", "value": count / elapsed,
             "unit": "lines/s", "target": 1000, "notes": notes}]


def freshness(nl: NativeLab, requests_count: int, rate: float = 5.0) -> list[dict]:
    sent: dict[str, float] = {}
    seen: dict[str, float] = {}
    done = threading.Event()
    search_url = f"{nl.settings.opensearch_url}/{lab.INDEX_NAME}/_search"

    def poll() -> None:
        session = requests.Session()
        while not done.is_set():
            waiting = [m for m in list(sent) if m not in seen]
            if waiting:
                body = {"size": 0, "query": {"terms": {"session_id": waiting}},
                        "aggs": {"m": {"terms": {"field": "session_id", "size": len(waiting)}}}}
                try:
                    buckets = session.post(search_url, json=body, timeout=10).json()["aggregations"]["m"]["buckets"]
                except (requests.RequestException, ValueError, KeyError):
                    buckets = []
                now = time.monotonic()
                for bucket in buckets:
                    seen.setdefault(bucket["key"], now)
            done.wait(0.05)

    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    shop = requests.Session()
    for i in range(requests_count):
        marker = uuid.uuid4().hex
        shop.cookies.set("user", "bench")
        shop.cookies.set("PHPSESSID", marker)
        sent[marker] = time.monotonic()
        shop.get(f"{nl.settings.apache_url}/home", timeout=10)
        time.sleep(max(0.0, sent[marker] + 1 / rate - time.monotonic()))
    try:
        wait_for(lambda: len(seen) == len(sent), timeout=120, interval=0.2, what="every marker searchable")
    finally:
        done.set()
        poller.join(5)
    latencies = sorted(seen[m] - sent[m] for m in sent)
    p50 = statistics.median(latencies)
    p95 = latencies[min(len(latencies) - 1, round(0.95 * (len(latencies) - 1)))]
    notes = f"{requests_count} requests at {rate:g}/s; buffer interval 1 s, agent maxBufferAgeMillis 1000"
    return [
        {"component": COMPONENT, "metric": "freshness p50 (Apache line -> searchable)", "value": p50,
         "unit": "s", "target": None, "notes": notes},
        {"component": COMPONENT, "metric": "freshness p95 (Apache line -> searchable)", "value": p95,
         "unit": "s", "target": 5.0, "notes": notes},
    ]


def run(quick: bool = False) -> list[dict]:
    with tempfile.TemporaryDirectory(prefix="bench-e2e-") as tmp, NativeLab.running(Path(tmp) / "lab") as nl:
        return freshness(nl, 20 if quick else 100) + throughput(nl, 5_000 if quick else 50_000)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args(argv)
    for figure in run(quick=args.quick):
        print(f"{figure['metric']:<46} {figure['value']:>12,.2f} {figure['unit']:<8} {figure['notes']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
