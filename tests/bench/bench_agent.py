"""Benchmark of the agent: lines/s it reads, batches and ships with
PutRecordBatch, with its CPU and memory (psutil).

The agent runs as a real process (`python -m agent`) tailing a pre-written
access log (START_OF_FILE) and sends to a minimal local Firehose endpoint (a
thread of this process) that acknowledges every PutRecordBatch and counts the
records. `python -m tests.bench.bench_agent [--quick]` prints the figures.
"""
from __future__ import annotations

import base64
import json
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import psutil

from tests.bench.figures import print_figures

REPO = Path(__file__).resolve().parents[2]
TARGET_LINES_PER_S = 50_000


class _Counter:
    def __init__(self):
        self.records = 0
        self.bytes = 0
        self.first = None
        self.last = None
        self.lock = threading.Lock()


def _handler(counter: _Counter):
    class FirehoseStub(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self):
            super().setup()
            # Headers and body are two writes: without this, Nagle + delayed ACK
            # would add ~40 ms to every call and measure the stub, not the agent.
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            records = json.loads(body)["Records"]
            size = sum(len(base64.b64decode(r["Data"])) for r in records)
            now = time.monotonic()
            with counter.lock:
                counter.records += len(records)
                counter.bytes += size
                counter.first = counter.first or now
                counter.last = now
            out = json.dumps({"FailedPutCount": 0, "Encrypted": False,
                              "RequestResponses": [{"RecordId": "r"}] * len(records)}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/x-amz-json-1.1")
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)

        def log_message(self, *args):
            pass

    return FirehoseStub


def _write_log(path: Path, lines: int) -> int:
    template = ('{a}.{b}.{c}.{d} - - [22/Nov/2026:04:29:26 +0000] "GET /products/{n:09d} HTTP/1.1" '
                '200 {size} "www.unicornshop.com/categories/smallUnicorns" "Mozilla/5.0 (X11; Linux '
                'x86_64) AppleWebKit/537.36 Chrome/120.0" "user = anonymous; PHPSESSID={n:032x}"\n')
    with open(path, "w") as f:
        f.writelines("".join(template.format(a=n % 200, b=n % 50, c=n % 7, d=n % 250, n=n,
                                            size=1000 + n % 49_000)
                            for n in range(start, min(lines, start + 10_000))) for start in range(0, lines, 10_000))
    return path.stat().st_size


def run(quick: bool = False) -> list[dict]:
    lines = 200_000 if quick else 1_000_000
    counter = _Counter()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(counter))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    with tempfile.TemporaryDirectory(prefix="bench-agent-") as tmp:
        tmp = Path(tmp)
        size = _write_log(tmp / "access_log", lines)
        config = {"firehose.endpoint": f"127.0.0.1:{server.server_port}",
                  "checkpointFile": str(tmp / "checkpoints.sqlite"),
                  "awsAccessKeyId": "test", "awsSecretAccessKey": "test",
                  "log.statusReportingPeriodSeconds": 60,
                  "flows": [{"filePattern": str(tmp / "access_log*"), "deliveryStream": "bench",
                             "initialPosition": "START_OF_FILE", "maxBufferAgeMillis": 1000}]}
        (tmp / "agent.json").write_text(json.dumps(config))
        started = time.monotonic()
        with open(tmp / "agent.log", "wb") as agent_log:
            proc = subprocess.Popen([sys.executable, "-m", "agent", "--config", str(tmp / "agent.json")],
                                    cwd=REPO, stdout=subprocess.DEVNULL, stderr=agent_log)
        ps = psutil.Process(proc.pid)
        rss_peak = 0
        deadline = started + 600
        try:
            while counter.records < lines and time.monotonic() < deadline:
                if proc.poll() is not None:
                    raise RuntimeError("agent exited:\n" + (tmp / "agent.log").read_text()[-3000:])
                rss_peak = max(rss_peak, ps.memory_info().rss)
                time.sleep(0.05)
            cpu = ps.cpu_times()
            cpu_s = cpu.user + cpu.system
            wall_total = time.monotonic() - started
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=30)
            server.shutdown()
    if counter.records < lines:
        raise RuntimeError(f"only {counter.records} of {lines} records arrived")
    shipping_s = max(1e-9, counter.last - counter.first)
    rate = lines / shipping_s
    notes = (f"{lines} lines ({size / 1e6:.0f} MB) from one file to a local PutRecordBatch stub; "
             f"2 shared cores")
    return [
        {"component": "agent", "metric": "lines_per_second", "value": round(rate),
         "unit": "lines/s", "target": f">= {TARGET_LINES_PER_S}", "notes": notes},
        {"component": "agent", "metric": "lines_per_cpu_second", "value": round(lines / cpu_s),
         "unit": "lines/cpu-s", "target": f">= {TARGET_LINES_PER_S}",
         "notes": "agent process CPU (user+system, all threads, incl. start-up)"},
        {"component": "agent", "metric": "cpu_percent", "value": round(100 * cpu_s / wall_total),
         "unit": "% of one core", "target": "<= 100",
         "notes": "average over the run incl. start-up"},
        {"component": "agent", "metric": "rss_peak", "value": round(rss_peak / 2**20, 1),
         "unit": "MiB", "target": "bounded (queue of publishQueueCapacity batches)",
         "notes": "peak resident memory of the agent process"},
        sigterm_with_endpoint_down(),
    ]


def sigterm_with_endpoint_down() -> dict:
    """Seconds from SIGTERM to exit while every PutRecordBatch is refused (a closed port):
    the agent must give up at its shutdown budget, not retry on (tests/agent checks that it
    does; this is how fast)."""
    with socket.socket() as probe:      # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with tempfile.TemporaryDirectory(prefix="bench-agent-term-") as tmp:
        tmp = Path(tmp)
        _write_log(tmp / "access_log", 2_000)
        config = {"firehose.endpoint": f"127.0.0.1:{port}", "checkpointFile": str(tmp / "checkpoints.sqlite"),
                  "awsAccessKeyId": "test", "awsSecretAccessKey": "test",
                  "flows": [{"filePattern": str(tmp / "access_log*"), "deliveryStream": "bench",
                             "initialPosition": "START_OF_FILE"}]}
        (tmp / "agent.json").write_text(json.dumps(config))
        with open(tmp / "agent.log", "wb") as agent_log:
            proc = subprocess.Popen([sys.executable, "-m", "agent", "--config", str(tmp / "agent.json")],
                                    cwd=REPO, stdout=subprocess.DEVNULL, stderr=agent_log)
        time.sleep(3)                   # read, batched, first sends refused and backing off
        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=120)
        seconds = time.monotonic() - started
    return {"component": "agent", "metric": "sigterm_exit_endpoint_down", "value": round(seconds, 2),
            "unit": "s", "target": "<= 5", "notes": "SIGTERM to exit, every send refused; shutdown budget 4 s"}


def main() -> None:
    print_figures(run, __doc__)


if __name__ == "__main__":
    main()
