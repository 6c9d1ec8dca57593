"""Kinesis Analytics (SQL) throughput on the native LocalStack, per engine, with CPU and memory.

One application per engine (DuckDB embedded, Flink via PyFlink): the issue's JSON access-log
records in, a WHERE pump (`status <> '404'`, every generated record passes) out to a Kinesis
stream. Records/s = records put / (last output record read - first put), so it covers
Kinesis in, the application and Kinesis out. The baseline, in the same run, is the same
records through Kinesis alone (put, then read back), the ceiling any application can reach.
CPU is the CPU seconds of LocalStack and its children (kinesis-mock, the Flink JVM) per wall
second during the run; memory their summed peak RSS.

The native Kinesis (kinesis-mock) caps those figures, so each engine is also measured alone,
in this process, on the issue's application (per-IP counts per 10 s): records with event times
1 ms apart are inserted as fast as the engine takes them, until every count is out.

Figures:
  baseline_kinesis_put_and_read        records/s through Kinesis alone
  <engine>_engine_only_records_per_s   the issue's tumbling-window application, engine alone
  <engine>_engine_only_cpu / _peak_rss  CPU (cores busy) and peak RSS (MB) of that run
  duckdb_records_per_s                 through an application on the embedded engine
  duckdb_cpu / duckdb_peak_rss         CPU (cores busy) and peak RSS (MB) during that run
  flink_records_per_s, flink_cpu, flink_peak_rss   the same on the Flink engine

Run: python -m tests.bench.bench_kinesisanalytics [--quick]
"""
from __future__ import annotations

import argparse
import json
import os
import tempfile
import threading
import time
import uuid
from pathlib import Path

import psutil

from tests.bench.figures import figure as bench_figure
from tests.conftest import LocalStackInstance
from tests.kinesisanalytics.conftest import ISSUE_SQL, json_input, stream_output
from tests.kinesisanalytics.engine_units import started_engine

NOTE = "wall clock, shared 2-core machine, one shard in and out"
CODE = """CREATE OR REPLACE STREAM "OUT" (client_ip VARCHAR(16), request VARCHAR(64), status VARCHAR(8));
CREATE OR REPLACE PUMP "P" AS INSERT INTO "OUT"
SELECT STREAM "client_ip", "request", "status" FROM "SOURCE_SQL_STREAM_001" WHERE "status" <> '404';"""
SCHEMA = [("client_ip", "$.client_ip", "VARCHAR(64)"), ("request", "$.request", "VARCHAR(64)"),
          ("status", "$.status", "VARCHAR(8)")]


def _record(i: int) -> bytes:
    return json.dumps({"request_time": "[25/Nov/2026:12:00:00 +0000]", "client_ip": f"10.0.{i % 50}.{i % 200}",
                       "client_hostname": "shop", "server_ip": "127.0.0.1", "request": "/products",
                       "http_method": "GET", "status": "200", "size": "1234", "userAgent": "ab/2.3",
                       "referer": "-"}).encode()


class ResourceSampler:
    """CPU seconds and peak RSS of a process tree while running."""

    def __init__(self, pid: int):
        self._root = psutil.Process(pid)
        self.peak_rss = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._cpu_start = self._cpu()

    def _tree(self) -> list[psutil.Process]:
        try:
            return [self._root, *self._root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return []

    def _cpu(self) -> float:
        total = 0.0
        for process in self._tree():
            try:
                times = process.cpu_times()
                total += times.user + times.system
            except psutil.NoSuchProcess:
                pass
        return total

    def _run(self) -> None:
        while not self._stop.wait(0.3):
            rss = 0
            for process in self._tree():
                try:
                    rss += process.memory_info().rss
                except psutil.NoSuchProcess:
                    pass
            self.peak_rss = max(self.peak_rss, rss)

    def __enter__(self):
        self._started = time.monotonic()
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.cpu_cores = (self._cpu() - self._cpu_start) / (time.monotonic() - self._started)


def _stream(instance: LocalStackInstance) -> tuple[str, str]:
    kinesis = instance.client("kinesis")
    name = f"bench-{uuid.uuid4().hex[:8]}"
    kinesis.create_stream(StreamName=name, ShardCount=1)
    kinesis.get_waiter("stream_exists").wait(StreamName=name, WaiterConfig={"Delay": 0.5, "MaxAttempts": 60})
    return name, kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]


def _put(instance: LocalStackInstance, arn: str, count: int) -> None:
    kinesis = instance.client("kinesis")
    for start in range(0, count, 500):
        records = [{"Data": _record(i), "PartitionKey": str(i)} for i in range(start, min(count, start + 500))]
        while records:
            response = kinesis.put_records(StreamARN=arn, Records=records)
            records = [r for r, answer in zip(records, response["Records"]) if answer.get("ErrorCode")]


def _read_until(instance: LocalStackInstance, arn: str, count: int, timeout: float) -> int:
    kinesis = instance.client("kinesis")
    shard = kinesis.list_shards(StreamARN=arn)["Shards"][0]["ShardId"]
    iterator = kinesis.get_shard_iterator(StreamARN=arn, ShardId=shard,
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    seen, deadline = 0, time.monotonic() + timeout
    while seen < count and time.monotonic() < deadline:
        response = kinesis.get_records(ShardIterator=iterator, StreamARN=arn, Limit=10000)
        seen += len(response["Records"])
        iterator = response["NextShardIterator"]
        if not response["Records"]:
            time.sleep(0.2)
    return seen


def _baseline(instance: LocalStackInstance, count: int) -> float:
    _, arn = _stream(instance)
    started = time.monotonic()
    _put(instance, arn, count)
    _read_until(instance, arn, count, timeout=300)
    return count / (time.monotonic() - started)


def _through_application(instance: LocalStackInstance, engine: str, count: int) -> tuple[float, float, float]:
    _, source = _stream(instance)
    _, target = _stream(instance)
    kda = instance.client("kinesisanalytics")
    name = f"bench-{engine}-{uuid.uuid4().hex[:6]}"
    kda.create_application(ApplicationName=name, ApplicationCode=CODE, Inputs=[json_input(source, SCHEMA)],
                           Outputs=[stream_output("OUT", target)], Tags=[{"Key": "lab:engine", "Value": engine}])
    kda.start_application(ApplicationName=name, InputConfigurations=[
        {"Id": "1.1", "InputStartingPositionConfiguration": {"InputStartingPosition": "TRIM_HORIZON"}}])
    deadline = time.monotonic() + 240
    while kda.describe_application(ApplicationName=name)["ApplicationDetail"]["ApplicationStatus"] != "RUNNING":
        if time.monotonic() > deadline:
            raise RuntimeError(f"{name} did not reach RUNNING")
        time.sleep(0.5)
    with ResourceSampler(instance.proc.pid) as sampler:
        started = time.monotonic()
        _put(instance, source, count)
        seen = _read_until(instance, target, count, timeout=600)
        elapsed = time.monotonic() - started
    kda.stop_application(ApplicationName=name)
    if seen < count:
        raise RuntimeError(f"{engine}: {seen} of {count} records came out")
    return count / elapsed, sampler.cpu_cores, sampler.peak_rss / 2**20


def _engine_only(engine_name: str, count: int) -> tuple[float, float, float]:
    engine = started_engine(engine_name, ISSUE_SQL, [(n, t) for n, _, t in SCHEMA], ["DESTINATION_SQL_STREAM"])
    rows = [(f"10.0.{i % 50}.{i % 200}", "/products", "200") for i in range(count)]
    start_ms, total, seq = 1_700_000_000_000, 0, 0
    with ResourceSampler(os.getpid()) as sampler:
        started = time.monotonic()
        for first in range(0, count, 500):
            batch = [(start_ms + i, rows[i]) for i in range(first, min(count, first + 500))]
            engine.insert("SOURCE_SQL_STREAM_001", batch)
            engine.tick(batch[-1][0])
            out, seq = engine.read_new("DESTINATION_SQL_STREAM", seq)    # as the application's output does
            total += sum(r["REQUEST_COUNT"] for r in out)
        deadline = time.monotonic() + 300
        while total < count and time.monotonic() < deadline:
            engine.tick(start_ms + count + 60_000)    # past the last window and the watermark delay
            out, seq = engine.read_new("DESTINATION_SQL_STREAM", seq)
            total += sum(r["REQUEST_COUNT"] for r in out)
            time.sleep(0.05)
        elapsed = time.monotonic() - started
    engine.close()
    if total != count:
        raise RuntimeError(f"{engine_name}: counts add up to {total}, not {count}")
    return count / elapsed, sampler.cpu_cores, sampler.peak_rss / 2**20


def run(quick: bool = False) -> list[dict]:
    # kinesis-mock (LocalStack's Kinesis) slows down as a stream grows: the Kinesis paths stay small
    count = 2_000 if quick else 5_000
    engine_count = 50_000 if quick else 200_000
    figures = []

    def figure(metric: str, value: float, unit: str, target=None) -> None:
        figures.append(bench_figure("kinesisanalytics", metric, value, unit, target, f"{count:,} records; {NOTE}"))

    for engine in ("duckdb", "flink"):
        rate, cpu, rss = _engine_only(engine, engine_count)
        figures.append(bench_figure("kinesisanalytics", f"{engine}_engine_only_records_per_s", rate, "records/s",
                                    notes=f"{engine_count:,} records, the issue's 10 s windows, engine alone"))
        figures.append(bench_figure("kinesisanalytics", f"{engine}_engine_only_cpu", cpu, "cores",
                                    notes="this process and its children"))
        figures.append(bench_figure("kinesisanalytics", f"{engine}_engine_only_peak_rss", rss, "MB",
                                    notes="this process and its children"))
    with tempfile.TemporaryDirectory(prefix="bench-kda-") as tmp:
        instance = LocalStackInstance(Path(tmp) / "volume", Path(tmp) / "localstack.log")
        instance.start()
        try:
            figure("baseline_kinesis_put_and_read", _baseline(instance, count), "records/s")
            for engine in ("duckdb", "flink"):
                rate, cpu, rss = _through_application(instance, engine, count)
                figure(f"{engine}_records_per_s", rate, "records/s")
                figure(f"{engine}_cpu", cpu, "cores")
                figure(f"{engine}_peak_rss", rss, "MB")
        finally:
            instance.stop()
    return figures


if __name__ == "__main__":
    from tests.bench.run_all import render_table

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    print(render_table(run(quick=parser.parse_args().quick)))
