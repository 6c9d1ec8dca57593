"""Throughput of the ETL Lambda handler on Firehose-shaped events (not part of the tests).

Events of 500 records are built from the 10,000 real lines of
tests/data/logs/elastic_examples_apache_logs.log (each record is one line with its
trailing newline, base64-encoded, as the agent sends it) and replayed until at least
500,000 records went through `lambda_handler` (quick mode: 50,000). Building the events
is not timed; decoding, parsing, JSON encoding and base64 of the output are.

Figures:
  records_per_s               steady state (the handler's memo caches warm), median of rounds
  records_per_s_cold_caches   every memo cache emptied before each event: the worst case of
                              a log whose timestamps, clients and requests never repeat
  records_per_s_workshop      the workshop's own line format (cookie field), seeded synthetic lines
  records_per_cpu_s[_workshop] the same per second of CPU time of this process (best round)
  event_ms_p50                wall time of one 500-record invocation, steady state
  records_per_s_geoip[...]    the same with GeoIP on (DB-IP's city database as the lab installs
                              it, read by the zip's pure-Python maxminddb reader; the host memo
                              is the per-address cache): printed beside the figure without it

Run: python -m tests.bench.bench_etl [--quick]
"""

import argparse
import base64
import random
import statistics
import time

from etl import handler
from etl.document import MEMOS, use_geoip
from etl.geoip_source import open_geoip
from tests.support.data_files import ELASTIC_LOG

EVENT_SIZE = 500
TARGET_RECORDS_PER_S = 100_000.0
MACHINE_NOTE = "wall clock, one process on a shared 2-core machine (other builds running)"


def build_events(lines: list[bytes], event_size: int = EVENT_SIZE) -> list[dict]:
    """Firehose transformation events carrying `lines`, `event_size` records each."""
    events = []
    for start in range(0, len(lines), event_size):
        chunk = lines[start : start + event_size]
        events.append({
            "invocationId": f"bench-{start}",
            "deliveryStreamArn": "arn:aws:firehose:us-east-1:000000000000:deliverystream/webserver_stream",
            "region": "us-east-1",
            "records": [
                {
                    "recordId": f"{start + i:056d}",
                    "approximateArrivalTimestamp": 1_700_000_000_000 + start + i,
                    "data": base64.b64encode(line).decode("ascii"),
                }
                for i, line in enumerate(chunk)
            ],
        })
    return events


def workshop_lines(count: int, seed: int = 7) -> list[bytes]:
    """Lines in the workshop's format, with its generator's weights (README.md, Facts 1)."""
    rng = random.Random(seed)
    products = ["Porcubbuks", "Armawoo", "Leopowwi", "Serpaaslem", "Glorsibou", "Cuksing",
                "Foxboon", "Blactile", "Meeqeos", "Claassoukse"]
    categories = ["smallUnicorns", "mediumUnicorns", "bigunicorns"]
    agents = [("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
               "Chrome/70.0.3538.77 Safari/537.36"),
              "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
              "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
              "Mozilla/5.0 (iPhone; CPU iPhone OS 12_0 like Mac OS X) AppleWebKit/605.1.15"]
    lines = []
    for i in range(count):
        kind = rng.choices(["home", "products", "categories", "signin", "signup"], [13, 5, 4, 2, 1])[0]
        path = {"products": f"/products/{rng.choice(products)}",
                "categories": f"/categories/{rng.choice(categories)}"}.get(kind, f"/{kind}")
        verb = rng.choices(["GET", "POST", "OPTIONS"], [6, 3, 1])[0]
        status = rng.choices([200, 301, 403, 401, 500, 503], [25, 3, 3, 1, 1, 1])[0]
        user = "anonymous" if rng.random() < 0.55 else f"user{rng.randrange(80)}"
        second = i // 3  # a few lines per second, like the lab's generator at speed
        stamp = time.strftime("%d/%b/%Y:%H:%M:%S", time.gmtime(1_541_219_366 + second))
        lines.append(
            f'10.0.{rng.randrange(4)}.{rng.randrange(256)} - - [{stamp} +0000] "{verb} {path} HTTP/1.1" '
            f'{status} {rng.randrange(1000, 50000)} "http://127.0.0.1:8080/home" "{rng.choice(agents)}" '
            f'"user = {user}; PHPSESSID={rng.getrandbits(128):032x}"\n'.encode()
        )
    return lines


def _clear_caches() -> None:
    for memo in MEMOS:
        memo.clear()


def _time_events(events: list[dict], total_records: int, cold: bool) -> tuple[float, float, list[float]]:
    """Wall and CPU seconds to push `total_records` through the handler, and per-event seconds."""
    per_event = []
    done = 0
    start, cpu_start = time.perf_counter(), time.process_time()
    while done < total_records:
        for event in events:
            if cold:
                _clear_caches()
            t0 = time.perf_counter()
            response = handler.lambda_handler(event, None)
            per_event.append(time.perf_counter() - t0)
            done += len(response["records"])
            if done >= total_records:
                break
    return time.perf_counter() - start, time.process_time() - cpu_start, per_event


def _throughput(events: list[dict], total: int, cold: bool, rounds: int) -> tuple[float, list[float], list[float], float]:
    """(median wall rate, wall rate per round, per-event seconds, best CPU-time rate)."""
    rates, cpu_rates, per_event = [], [], []
    for _ in range(rounds):
        _clear_caches()
        seconds, cpu_seconds, event_times = _time_events(events, total, cold)
        # cold mode also times cache clearing, a negligible share.
        rates.append(total / seconds)
        cpu_rates.append(total / cpu_seconds)
        per_event.extend(event_times)
    return statistics.median(rates), rates, per_event, max(cpu_rates)


def _geoip_databases() -> tuple[str, ...]:
    """The lab's GeoIP files (installed by `make geoip` into the lab's cache, or installed now)."""
    from labctl import geoip, settings

    return tuple(str(path) for path in geoip.database_files(settings.load()))


def _geoip_figures(elastic: list[dict], total: int, rounds: int, plain: float, plain_cold: float) -> list[dict]:
    databases = _geoip_databases()
    geoip = open_geoip(databases)
    use_geoip(geoip)
    try:
        handler.lambda_handler(elastic[0], None)
        warm, warm_rates, _, warm_cpu = _throughput(elastic, total, cold=False, rounds=rounds)
        cold, cold_rates, _, _ = _throughput(elastic, total // 5, cold=True, rounds=rounds)
    finally:
        use_geoip(None)
        geoip.close()
    names = ", ".join(path.rsplit("/", 1)[-1] for path in databases)
    rounds_note = "rounds: " + ", ".join(f"{r:,.0f}" for r in warm_rates)
    return [
        {"component": "etl", "metric": "records_per_s_geoip", "value": round(warm), "unit": "records/s",
         "target": TARGET_RECORDS_PER_S,
         "notes": f"as records_per_s with GeoIP on ({names}); without GeoIP in this run: {plain:,.0f}; "
                  f"{rounds_note}"},
        {"component": "etl", "metric": "records_per_cpu_s_geoip", "value": round(warm_cpu), "unit": "records/s",
         "target": TARGET_RECORDS_PER_S, "notes": "GeoIP on, CPU time, best round"},
        {"component": "etl", "metric": "records_per_s_geoip_cold_caches", "value": round(cold),
         "unit": "records/s", "target": None,
         "notes": f"GeoIP on, every cache emptied before each event (every client looked up again); "
                  f"without GeoIP: {plain_cold:,.0f}; rounds: " + ", ".join(f"{r:,.0f}" for r in cold_rates)},
    ]


def run(quick: bool = False) -> list[dict]:
    total = 50_000 if quick else 500_000
    rounds = 1 if quick else 3
    elastic = build_events(ELASTIC_LOG.read_bytes().splitlines(keepends=True))
    workshop = build_events(workshop_lines(10_000))
    handler.lambda_handler(elastic[0], None)  # warm up imports and regexes

    warm, warm_rates, event_times, warm_cpu = _throughput(elastic, total, cold=False, rounds=rounds)
    cold, cold_rates, _, _ = _throughput(elastic, total // 5, cold=True, rounds=rounds)
    shop, shop_rates, _, shop_cpu = _throughput(workshop, total, cold=False, rounds=rounds)

    def rates_note(rates: list[float]) -> str:
        return "rounds: " + ", ".join(f"{r:,.0f}" for r in rates)

    geoip_rows = _geoip_figures(elastic, total, rounds, warm, cold)
    return [
        {"component": "etl", "metric": "records_per_s", "value": round(warm), "unit": "records/s",
         "target": TARGET_RECORDS_PER_S,
         "notes": f"{total:,} elastic log records in 500-record events, median of {rounds}; "
                  f"{rates_note(warm_rates)}; {MACHINE_NOTE}"},
        geoip_rows[0],
        {"component": "etl", "metric": "records_per_cpu_s", "value": round(warm_cpu), "unit": "records/s",
         "target": TARGET_RECORDS_PER_S,
         "notes": "as records_per_s but per second of this process's CPU time (best round): "
                  "less sensitive to other processes on the machine"},
        geoip_rows[1],
        {"component": "etl", "metric": "records_per_s_cold_caches", "value": round(cold), "unit": "records/s",
         "target": None,
         "notes": f"memo caches emptied before every event; {rates_note(cold_rates)}"},
        geoip_rows[2],
        {"component": "etl", "metric": "records_per_s_workshop", "value": round(shop), "unit": "records/s",
         "target": TARGET_RECORDS_PER_S,
         "notes": f"synthetic workshop-format lines with the cookie field; {rates_note(shop_rates)}"},
        {"component": "etl", "metric": "records_per_cpu_s_workshop", "value": round(shop_cpu),
         "unit": "records/s", "target": TARGET_RECORDS_PER_S, "notes": "workshop format, CPU time, best round"},
        {"component": "etl", "metric": "event_ms_p50", "value": round(statistics.median(event_times) * 1000, 2),
         "unit": "ms", "target": None, "notes": "one 500-record invocation, steady state"},
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="50,000 records, one round")
    args = parser.parse_args()
    for row in run(quick=args.quick):
        target = "" if row["target"] is None else f" (target {row['target']:,.0f})"
        print(f"{row['metric']:<28} {row['value']:>12,} {row['unit']}{target}  {row['notes']}")


if __name__ == "__main__":
    main()
