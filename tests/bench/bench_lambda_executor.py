"""Invoke latency and throughput of the host Lambda executor (not part of the tests).

Starts its own native LocalStack 4.14.0 (LAMBDA_RUNTIME_EXECUTOR=host), creates
an echo function and invokes it with boto3 (RequestResponse), so every figure
includes the client, LocalStack's gateway and Lambda service, the executor
endpoint and the host runtime process.

Figures:
  cold_start_ms            first invoke of a new function (starts a runtime process)
  warm_invoke_ms_p50/p95   sequential invokes of a small event on a warm environment
  warm_invoke_ms_p50_500_records  the same with a Firehose-sized event (500 records, ~180 KB)
  invokes_per_s_sequential one client, back to back
  invokes_per_s_4_clients  four clients in parallel (LocalStack scales to four environments)

Run: python -m tests.bench.bench_lambda_executor [--quick]
"""

from __future__ import annotations

import base64
import json
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.bench.figures import figure as bench_figure
from tests.bench.figures import print_figures
from tests.conftest import LocalStackInstance
from tests.lambda_executor import functions

MACHINE_NOTE = "wall clock through boto3 and LocalStack's gateway, shared 2-core machine"


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def timed_invokes(lambda_client, name: str, event: dict, count: int) -> list[float]:
    payload = json.dumps(event).encode()
    times = []
    for _ in range(count):
        start = time.perf_counter()
        response = lambda_client.invoke(FunctionName=name, Payload=payload)
        response["Payload"].read()
        times.append(time.perf_counter() - start)
        if response.get("FunctionError"):
            raise RuntimeError(f"benchmark function failed: {response}")
    return times


def firehose_event(records: int = 500) -> dict:
    line = (
        b'162.250.88.82 - - [03/Nov/2018:04:29:26 +0000] "POST home/ HTTP/1.1" 200 20494 '
        b'"www.unicornshop.com/categories//" "Mozilla/5.0" "user = anonymous; PHPSESSID=903f9667"\n'
    )
    return {
        "records": [
            {"recordId": f"{i:056d}", "data": base64.b64encode(line).decode()}
            for i in range(records)
        ]
    }


def run(quick: bool = False) -> list[dict]:
    rounds = 60 if quick else 400
    with tempfile.TemporaryDirectory(prefix="bench-lambda-") as tmp:
        instance = LocalStackInstance(Path(tmp) / "volume", Path(tmp) / "localstack.log")
        instance.start()
        try:
            lambda_client = instance.client("lambda")
            name = functions.create_function(lambda_client, "handlers.echo", timeout=30)
            cold = timed_invokes(lambda_client, name, {"warm": False}, 1)[0]
            timed_invokes(lambda_client, name, {"warmup": True}, 10)
            small = timed_invokes(lambda_client, name, {"n": 1}, rounds)
            big = timed_invokes(lambda_client, name, firehose_event(), max(20, rounds // 10))

            start = time.perf_counter()
            timed_invokes(lambda_client, name, {"n": 2}, rounds)
            sequential_rate = rounds / (time.perf_counter() - start)

            clients = [instance.client("lambda") for _ in range(4)]
            per_client = max(10, rounds // 4)
            start = time.perf_counter()
            with ThreadPoolExecutor(len(clients)) as pool:
                list(pool.map(lambda c: timed_invokes(c, name, {"n": 3}, per_client), clients))
            parallel_rate = len(clients) * per_client / (time.perf_counter() - start)
        finally:
            instance.stop()

    def figure(metric, value, unit, target, notes):
        return bench_figure("lambda_executor", metric, value, unit, target, notes)

    return [
        figure(
            "cold_start_ms",
            round(cold * 1000, 1),
            "ms",
            1000.0,
            f"first invoke of a new function; {MACHINE_NOTE}",
        ),
        figure(
            "warm_invoke_ms_p50",
            round(statistics.median(small) * 1000, 2),
            "ms",
            50.0,
            f"{rounds} sequential invokes, small event; {MACHINE_NOTE}",
        ),
        figure(
            "warm_invoke_ms_p95",
            round(percentile(small, 0.95) * 1000, 2),
            "ms",
            100.0,
            f"{rounds} sequential invokes, small event; {MACHINE_NOTE}",
        ),
        figure(
            "warm_invoke_ms_p50_500_records",
            round(statistics.median(big) * 1000, 2),
            "ms",
            200.0,
            f"{len(big)} invokes of a 500-record Firehose-shaped event (~{len(json.dumps(firehose_event())) // 1024} KB)",
        ),
        figure(
            "invokes_per_s_sequential",
            round(sequential_rate, 1),
            "invokes/s",
            20.0,
            f"one boto3 client, {rounds} invokes",
        ),
        figure(
            "invokes_per_s_4_clients",
            round(parallel_rate, 1),
            "invokes/s",
            40.0,
            f"4 boto3 clients in threads of one process, {4 * per_client} invokes",
        ),
    ]


def main() -> None:
    print_figures(run, __doc__)


if __name__ == "__main__":
    main()
