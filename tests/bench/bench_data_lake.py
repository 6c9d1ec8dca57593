"""The data lake on the native LocalStack: a Glue crawl and the example Athena queries
over the workshop's backup of 1,000,000 documents (100,000 with --quick), next to the
same queries run by DuckDB directly on local copies of the same files.

The documents are the lab's ETL output for Elastic's example Apache log (cycled, with
the workshop's cookie field), written as Firehose writes its backup: uncompressed JSON
Lines under `apache_YYYY/MM/dd/HH/`, 24 hours, ~5 MB objects.

Figures (seconds, wall clock):
  crawl_<n>_docs                  StartCrawler -> READY (table and partitions written)
  athena_<query>_cold             the first query: S3 objects copied to the engine's cache
  athena_<query>                  each example query, StartQueryExecution -> SUCCEEDED
  duckdb_direct_<query>           the same query on DuckDB alone (baseline)
  athena_<query>_engine           its TotalExecutionTimeInMillis (the engine's time, no client polling)
  athena_<query>_vs_direct        the lab's DuckDB engine over DuckDB alone (ratio; target <= 1.5)
  athena_<query>_engine_vs_direct the same with the engine's own time
  trino_ready                     Trino 476 started -> answering (when `make trino` installed it)
  trino_rss_ready / trino_rss     its resident memory when ready / after the queries (MB)
  trino_<query>[_cold]            each example query on a work group tagged lab:engine=trino

Run: python -m tests.bench.bench_data_lake [--quick]
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from labctl import data_lake

from etl.access_log import parse_line
from etl.document import render_document
from tests.bench.figures import figure as bench_figure
from tests.conftest import LOCALSTACK_VENV, LocalStackInstance, free_port
from tests.support.data_files import ELASTIC_LOG

NOTE = "wall clock, shared 2-core machine"
OBJECT_BYTES = 5 * 1024 * 1024
ROLE = "arn:aws:iam::000000000000:role/glue_crawler_role"
REPEATS = 3      # each query, on each side: the median is the figure


def documents(count: int):
    lines = [line.rstrip("\n") for line in ELASTIC_LOG.read_text(encoding="utf-8").splitlines()]
    produced = 0
    while produced < count:
        for i, line in enumerate(lines):
            fields = parse_line(f'{line} "user = u{(produced + i) % 500}; PHPSESSID=s{(produced + i) % 5000}"')
            if fields is None:
                continue
            yield render_document(fields)[0]
            produced += 1
            if produced == count:
                return


def write_objects(s3, bucket: str, count: int, local_dir: Path) -> list[Path]:
    """~5 MB objects spread over 24 hour folders, also kept locally for the baseline."""
    files, chunk, size, n = [], [], 0, 0

    def flush() -> None:
        nonlocal chunk, size, n
        body = "".join(chunk).encode()
        key = f"apache_2026/11/03/{n % 24:02d}/apache-backup-1-2026-11-03-{n % 24:02d}-00-00-{n:06d}"
        s3.put_object(Bucket=bucket, Key=key, Body=body)
        path = local_dir / f"{n:06d}.json"
        path.write_bytes(body)
        files.append(path)
        chunk, size, n = [], 0, n + 1

    for doc in documents(count):
        chunk.append(doc)
        size += len(doc)
        if size >= OBJECT_BYTES:
            flush()
    if chunk:
        flush()
    return files


def figure(metric: str, seconds: float, notes: str = NOTE) -> dict:
    return bench_figure("data_lake", metric, seconds, "s", None, notes, digits=3)


def run(quick: bool = False) -> list[dict]:
    count = 100_000 if quick else 1_000_000
    figures = []
    with tempfile.TemporaryDirectory(prefix="bench-data-lake-") as tmp:
        tmp = Path(tmp)
        trino_port = free_port()
        instance = LocalStackInstance(tmp / "volume", tmp / "localstack.log",
                                      extra_env={"LAB_TRINO_URL": f"http://127.0.0.1:{trino_port}"})
        instance.start()
        try:
            lake = data_lake.DataLake(database="clickstream", crawler="apache_backup_crawler",
                                      bucket="bench-backup", output="s3://bench-backup/athena-results/")
            s3 = instance.client("s3")
            s3.create_bucket(Bucket=lake.bucket)
            (tmp / "local").mkdir()
            files = write_objects(s3, lake.bucket, count, tmp / "local")
            glue, athena = instance.client("glue"), instance.client("athena")
            data_lake.ensure_data_lake(glue, ROLE, lake)
            started = time.perf_counter()
            crawler = data_lake.crawl(glue, lake, timeout=1800)
            figures.append(figure(f"crawl_{count}_docs", time.perf_counter() - started,
                                  f"{len(files)} objects, last crawl {crawler['LastCrawl']['Status']}"))
            queries = data_lake.example_queries()
            first = True
            for name, sql in queries.items():
                if first:
                    started = time.perf_counter()
                    execution, _ = data_lake.run_query(athena, sql, lake, timeout=1800)
                    figures.append(figure(f"athena_{name}_cold", time.perf_counter() - started,
                                          f"{execution['Status']['State']}; copies the objects to the cache"))
                    first = False
                walls, engines = [], []
                for _ in range(REPEATS):
                    started = time.perf_counter()
                    execution, rows = data_lake.run_query(athena, sql, lake, timeout=1800)
                    walls.append(time.perf_counter() - started)
                    engines.append(execution["Statistics"]["TotalExecutionTimeInMillis"] / 1000)
                figures.append(figure(f"athena_{name}", statistics.median(walls),
                                      f"{execution['Status']['State']}, {len(rows) - 1} rows; median of {REPEATS}"))
                figures.append(figure(f"athena_{name}_engine", statistics.median(engines),
                                      "the execution's TotalExecutionTimeInMillis (catalog, listing, DuckDB, "
                                      f"result files; not the client's polling); median of {REPEATS}"))
            spec = tmp / "queries.json"
            spec.write_text(json.dumps(queries))
            out = subprocess.run([str(LOCALSTACK_VENV / "bin" / "python"), str(Path(__file__).with_name(
                "duckdb_direct.py")), str(spec), str(REPEATS), *map(str, files)], check=True, capture_output=True,
                text=True)
            direct = json.loads(out.stdout)
            for name, seconds in direct.items():
                figures.append(figure(f"duckdb_direct_{name}", seconds,
                                      f"DuckDB alone on local copies (baseline); median of {REPEATS}"))
            ours = {f["metric"].removeprefix("athena_"): f["value"] for f in figures
                    if f["metric"].startswith("athena_") and not f["metric"].endswith("_cold")}
            for name, seconds in direct.items():
                figures.append({**figure(f"athena_{name}_vs_direct", ours[name] / seconds,
                                         "StartQueryExecution to SUCCEEDED as a boto3 client polling every "
                                         "0.1 s sees it / DuckDB alone, same run"),
                                "unit": "times", "target": 1.5})   # lower is better, as for seconds
                figures.append({**figure(f"athena_{name}_engine_vs_direct", ours[f"{name}_engine"] / seconds,
                                         "the execution's own time / DuckDB alone, same run"), "unit": "times"})
            figures += trino_figures(tmp, instance, trino_port, lake, queries)
        finally:
            instance.stop()
    return figures


def trino_figures(tmp: Path, instance: LocalStackInstance, port: int, lake: data_lake.DataLake,
                  queries: dict[str, str]) -> list[dict]:
    """The same queries on Trino 476 (a work group tagged lab:engine=trino), with Trino's start-up
    time and memory; nothing when Trino is not installed (`make trino`)."""
    import psutil
    from labctl import trino_server

    if not (trino_server.install_dir() / ".installed").is_file():
        print("trino: not installed (make trino): no Trino figures")
        return []
    cfg = trino_server.TrinoConfig(base_dir=tmp / "trino", port=port, aws_endpoint=instance.url)
    started = time.perf_counter()
    proc = trino_server.start(cfg, tmp / "trino.log")
    out = []
    try:
        trino_server.wait_ready(cfg.url, proc, timeout=600)
        out.append(figure("trino_ready", time.perf_counter() - started, "process start -> /v1/info not starting"))
        rss = psutil.Process(proc.pid).memory_info().rss / 2**20
        out.append({**figure("trino_rss_ready", rss, "resident memory when ready, -Xmx1G"), "unit": "MB"})
        athena = instance.client("athena")
        athena.create_work_group(Name="trino", Tags=[{"Key": "lab:engine", "Value": "trino"}],
                                 Configuration={"ResultConfiguration": {"OutputLocation": lake.output}})
        for i, (name, sql) in enumerate(queries.items()):
            for suffix in (("_cold", "") if i == 0 else ("",)):
                started = time.perf_counter()
                execution, rows = data_lake.run_query(athena, sql, lake, timeout=1800, work_group="trino")
                out.append(figure(f"trino_{name}{suffix}", time.perf_counter() - started,
                                  f"{execution['Status']['State']}, {max(len(rows) - 1, 0)} rows"))
        rss = psutil.Process(proc.pid).memory_info().rss / 2**20
        out.append({**figure("trino_rss", rss, "resident memory after the queries"), "unit": "MB"})
    finally:
        trino_server.stop(proc)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true")
    for fig in run(quick=ap.parse_args().quick):
        print(f"{fig['metric']:<40} {fig['value']:>9.3f} {fig['unit']:<2} {fig['notes']}")


if __name__ == "__main__":
    main()
