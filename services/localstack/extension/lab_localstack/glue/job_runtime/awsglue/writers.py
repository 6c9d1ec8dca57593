"""Sinks: write_dynamic_frame.from_options / from_catalog, and getSink with enableUpdateCatalog.

Spark writes the frame through s3a (partitionBy for partitionKeys) into a staging prefix of the
target bucket that readers skip (`_lab_staging/<uuid>/` beside the target: a name starting with
`_` is not data), and the files are then moved server-side (S3 CopyObject) under the S3 path with
Glue-style names (`run-<id>-part-r-<n><ext>`): nothing goes through local disk. Formats: json,
csv, parquet and glueparquet (Parquet; snappy unless `compression` says otherwise,
"uncompressed"/"none" included). In a forEachBatch batch the names carry the checkpoint's tag
and the batch id, and what an interrupted attempt of the same batch left is removed first.
"""
from __future__ import annotations

import time
import uuid

from pyspark.sql import DataFrame

from awsglue import catalog_client, s3_files, streaming
from awsglue.dynamicframe import DynamicFrame
from awsglue.missing import Strict, not_provided

COMPRESSION = {"uncompressed": "none", "none": "none", "snappy": "snappy", "gzip": "gzip", "lzo": "lzo",
               "zstd": "zstd", "bzip2": "bzip2", "deflate": "deflate", "brotli": "brotli", "lz4": "lz4"}


def _df(frame) -> DataFrame:
    return frame.toDF() if isinstance(frame, DynamicFrame) else frame


def write_s3(frame, path: str, fmt: str, partition_keys: list[str] | None = None,
             format_options: dict | None = None) -> list[str]:
    """Write a frame's records under an S3 path; returns the keys written."""
    fmt = (fmt or "json").lower()
    kind = "parquet" if fmt in ("parquet", "glueparquet") else fmt
    if kind not in ("json", "csv", "parquet"):
        raise not_provided(f"S3 sink format '{fmt}'", "json, csv, parquet and glueparquet are")
    opts = dict(format_options or {})
    df = _df(frame)
    keys = list(partition_keys or [])
    missing = [k for k in keys if k not in df.columns]
    if missing:
        raise ValueError(f"partitionKeys {missing} are not fields of the frame ({', '.join(df.columns)})")
    bucket, prefix = s3_files.split(path)
    staging = f"s3://{bucket}/{prefix.rstrip('/') + '/' if prefix else ''}_lab_staging/{uuid.uuid4().hex}/"
    writer = df.write.mode("overwrite")
    if keys:
        writer = writer.partitionBy(*keys)
    compression = str(opts.get("compression", "snappy" if kind == "parquet" else "none")).lower()
    if compression not in COMPRESSION:
        raise not_provided(f"compression '{compression}'")
    writer = writer.option("compression", COMPRESSION[compression])
    if kind == "csv":
        writer = (writer.option("header", str(opts.get("writeHeader", True)).lower() == "true")
                  .option("sep", opts.get("separator", ",")).option("quote", opts.get("quoteChar", '"')))
    writer.format(kind).save(staging)
    batch = streaming.current_batch()
    run = f"{batch.tag}-b{batch.batch_id:09d}" if batch else str(int(time.time() * 1000))
    files: dict[str, str] = {}
    counters: dict[str, int] = {}
    for obj in sorted(s3_files.list_objects([staging]), key=lambda o: o.relative):
        folder, _, file_name = obj.relative.rpartition("/")
        n = counters.get(folder, 0)
        counters[folder] = n + 1
        ext = file_name.replace(".c000", "")   # part-00000-<uuid>.c000.snappy.parquet -> .snappy.parquet
        ext = ext[ext.index("."):] if "." in ext else ""
        name = f"run-{run}-part-r-{n:05d}{ext}"
        files[obj.key] = f"{folder}/{name}" if folder else name
    written = s3_files.move(bucket, files, path)
    s3_files.delete_prefix(staging)
    if batch:
        s3_files.delete_except(path, f"run-{run}-", set(written))
    return written


class DynamicFrameWriter(Strict):
    """glueContext.write_dynamic_frame (and write_data_frame)."""

    def __init__(self, glue_context):
        self._glue = glue_context

    def from_options(self, frame, connection_type: str = "s3", connection_options=None,
                     format: str | None = None, format_options=None, transformation_ctx: str = "",
                     **kwargs):
        if connection_type != "s3":
            raise not_provided(f"sink connection_type '{connection_type}'", "s3 is")
        options = dict(connection_options or {})
        if not options.get("path"):
            raise ValueError("an S3 sink needs connection_options['path']")
        write_s3(frame, options["path"], format or "json", options.get("partitionKeys"), format_options)
        return frame

    def from_catalog(self, frame, database: str | None = None, table_name: str | None = None,
                     redshift_tmp_dir: str = "", transformation_ctx: str = "", additional_options=None,
                     catalog_id=None, name_space: str | None = None, **kwargs):
        source = catalog_client.table_source(database or name_space, table_name)
        if source.kind != "s3" or not source.location:
            raise not_provided(f"writing to the {source.kind} table {database}.{table_name}", "S3 tables are")
        options = dict(additional_options or {})
        keys = options.get("partitionKeys") or source.partition_keys
        write_s3(frame, source.location, source.classification, keys, source.format_options)
        return frame


class S3Sink(Strict):
    """glueContext.getSink(connection_type="s3", path=..., enableUpdateCatalog=..., partitionKeys=...)."""

    def __init__(self, glue_context, path: str, partition_keys: list[str], update_catalog: bool, options: dict):
        self._glue = glue_context
        self.path, self.partition_keys, self.update_catalog = path, list(partition_keys), update_catalog
        self.options = options
        self.format, self.format_options = "json", {}
        self.database = self.table = None

    def setFormat(self, format: str, **options) -> None:
        self.format, self.format_options = format, options

    def setCatalogInfo(self, catalogDatabase: str, catalogTableName: str, catalogId=None) -> None:
        self.database, self.table = catalogDatabase, catalogTableName

    def writeFrame(self, dynamic_frame, info: str = ""):
        options = {**self.format_options}
        if "compression" in self.options:
            options.setdefault("compression", self.options["compression"])
        write_s3(dynamic_frame, self.path, self.format, self.partition_keys, options)
        if self.update_catalog:
            if not (self.database and self.table):
                raise ValueError("enableUpdateCatalog needs setCatalogInfo(catalogDatabase=..., catalogTableName=...)")
            df = _df(dynamic_frame)
            values = [list(r) for r in df.select(*self.partition_keys).distinct().collect()] if self.partition_keys \
                else []
            fmt = "parquet" if self.format.lower() in ("parquet", "glueparquet") else self.format.lower()
            catalog_client.update_catalog(self.database, self.table, self.path, fmt, df.schema,
                                          self.partition_keys, values)
        return dynamic_frame

    def write(self, frame):
        return self.writeFrame(frame)
