"""Streaming: GlueContext.forEachBatch and add_ingestion_time_columns, and the clean stop.

forEachBatch runs the batch function on each micro-batch of a streaming DataFrame with a
processing-time trigger of `windowSize` (default "100 seconds", as Glue) and Spark's
checkpoint at `checkpointLocation`. An s3:// checkpoint location is kept on the lab's disk
(LAB_GLUE_STATE_DIR/checkpoints/<bucket>/<key>), as before s3a was available (a checkpoint
is many small files rewritten per batch); a run started again with the same location finds it. Records of a Kinesis source come as raw
text; with inferSchema they are parsed per batch (each batch gets the schema of its records,
as on Glue), with the table's columns otherwise (readers.py).

While a batch runs, the writers know its id (current_batch): they name the files of batch N
after the checkpoint and N, and remove what an interrupted earlier attempt of batch N left,
so a replayed batch replaces its files instead of adding them again.

SIGTERM (BatchStopJobRun, Timeout) calls stop_all: each query is stopped once its batch in
flight has finished, forEachBatch returns and the script goes on to job.commit().
"""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from awsglue.kinesis_source import RAW_COLUMN

_queries: list = []
_local = threading.local()
STOP_WAIT_S = 80
GRANULARITIES = ("year", "month", "day", "hour", "minute")


@dataclass(frozen=True)
class BatchContext:
    batch_id: int
    tag: str      # stable per checkpoint location


def current_batch() -> BatchContext | None:
    return getattr(_local, "batch", None)


def started_queries() -> list:
    """The queries forEachBatch started (a plain list: no Spark call, safe in a signal handler)."""
    return list(_queries)


def active_queries() -> list:
    return [q for q in _queries if q.isActive]


def stop_all() -> None:
    for query in active_queries():
        deadline = time.monotonic() + STOP_WAIT_S
        while time.monotonic() < deadline:
            try:
                if not query.status.get("isTriggerActive"):
                    break
            except Exception:  # noqa: BLE001 - a query that ended has no status: stop it anyway
                break
            time.sleep(0.1)
        query.stop()


def local_checkpoint(location: str) -> str:
    if location.startswith(("s3://", "s3a://", "s3n://")):
        bucket_key = location.split("://", 1)[1].rstrip("/")
        root = Path(os.environ.get("LAB_GLUE_STATE_DIR", ".")) / "checkpoints"
        return str(root / os.environ.get("AWS_ACCESS_KEY_ID", "000000000000") / bucket_key)
    return location.removeprefix("file://")


def _window_seconds(window: str) -> str:
    value = str(window).strip()
    if re.fullmatch(r"\d+", value):
        return f"{value} seconds"
    if not re.fullmatch(r"\d+\s*(second|seconds|minute|minutes|sec|s|min)", value):
        raise ValueError(f"windowSize must be like '100 seconds', got '{window}'")
    return value


def parse_records(df: DataFrame) -> DataFrame:
    """A batch of raw JSON records as a DataFrame with their inferred schema."""
    spark = df.sparkSession
    if RAW_COLUMN not in df.columns:
        return df
    texts = df.select(F.col(f"`{RAW_COLUMN}`")).rdd.map(lambda row: row[0])
    if texts.isEmpty():
        return spark.createDataFrame([], "dummy string").drop("dummy")
    return spark.read.json(texts)


def for_each_batch(frame: DataFrame, batch_function, options: dict | None) -> None:
    options = dict(options or {})
    window = _window_seconds(options.get("windowSize", "100 seconds"))
    location = options.get("checkpointLocation")
    if not location:
        raise ValueError("forEachBatch needs options['checkpointLocation'] (Glue Studio passes "
                         "args['TempDir'] + '/' + args['JOB_NAME'] + '/checkpoint/')")
    checkpoint = local_checkpoint(location)
    tag = hashlib.sha1(location.rstrip("/").encode()).hexdigest()[:10]
    retries = int(options.get("batchMaxRetries", 3))

    def run_batch(df: DataFrame, batch_id: int) -> None:
        _local.batch = BatchContext(batch_id, tag)
        try:
            parsed = parse_records(df)
            for attempt in range(retries + 1):
                try:
                    batch_function(parsed, batch_id)
                    return
                except Exception:
                    if attempt == retries:
                        raise
        finally:
            _local.batch = None

    query = (frame.writeStream.foreachBatch(run_batch).option("checkpointLocation", checkpoint)
             .trigger(processingTime=window).start())
    _queries.append(query)
    query.awaitTermination()


def add_ingestion_time_columns(df: DataFrame, time_granularity: str = "hour") -> DataFrame:
    """ingest_year, ingest_month, ingest_day, ingest_hour (and ingest_minute) of now, UTC,
    zero-padded strings (ingest_year=2026/ingest_month=12/...), one value for the whole batch."""
    granularity = (time_granularity or "hour").lower()
    if granularity not in GRANULARITIES:
        raise ValueError(f"timeGranularity must be one of {', '.join(GRANULARITIES)}, got '{time_granularity}'")
    now = dt.datetime.now(dt.UTC)
    values = {"year": f"{now.year:04d}", "month": f"{now.month:02d}", "day": f"{now.day:02d}",
              "hour": f"{now.hour:02d}", "minute": f"{now.minute:02d}"}
    for unit in GRANULARITIES[:GRANULARITIES.index(granularity) + 1]:
        df = df.withColumn(f"ingest_{unit}", F.lit(values[unit]))
    return df
