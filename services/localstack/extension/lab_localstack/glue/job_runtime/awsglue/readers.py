"""Sources: create_dynamic_frame and create_data_frame's from_options and from_catalog.

S3 (json, csv, parquet; also orc and avro's absence named): the objects under `paths` are
listed (boto3: Glue's exclusions, `recurse`, job bookmarks) and Spark reads exactly those objects
in place through s3a (lab_localstack.spark_conf), nothing copied to local disk; with job
bookmarks on, objects an earlier committed run read are left out (job.py). Kinesis
(streaming): the `lab_kinesis` Python data source (kinesis_source.py), from a catalog table
the Glue console made (typeOfData kinesis, streamName/streamARN) or from connection options.
A Kinesis table's endpoint is not used: the lab's own endpoint is, so a job never reaches AWS.
"""
from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql import types as T

from awsglue import catalog_client, job, s3_files
from awsglue.dynamicframe import DynamicFrame, spark_type
from awsglue.kinesis_source import RAW_COLUMN, KinesisDataSource
from awsglue.missing import Strict, not_provided

FORMATS = ("json", "csv", "parquet", "glueparquet")


def _truthy(value) -> bool:
    return str(value).lower() in ("true", "1", "yes")


def read_s3(spark, connection_options: dict, fmt: str, format_options: dict | None,
            transformation_ctx: str = "") -> DataFrame:
    fmt = (fmt or "").lower()
    if fmt not in FORMATS:
        raise not_provided(f"S3 source format '{fmt}'", "json, csv and parquet are")
    paths = connection_options.get("paths") or ([connection_options["path"]] if connection_options.get("path") else [])
    if isinstance(paths, str):
        paths = [paths]
    if not paths:
        raise ValueError("an S3 source needs connection_options['paths']")
    objects = s3_files.list_objects(paths, _truthy(connection_options.get("recurse", True)),
                                    connection_options.get("exclusions"))
    bookmarks = job.current()
    if bookmarks is not None:
        seen = bookmarks.seen(transformation_ctx)
        objects = [o for o in objects if f"{o.key}@{o.etag}" not in seen]
        bookmarks.record(transformation_ctx, [f"{o.key}@{o.etag}" for o in objects])
    opts = dict(format_options or {})
    if fmt == "json" and opts.get("jsonPath"):
        raise not_provided("format_options jsonPath")
    if not objects:
        return spark.createDataFrame([], T.StructType([]))
    # one reader per source path over its objects; Hive folders (k=v/) become partition columns
    # (basePath), other folders are read through (Glue's `recurse`)
    frames = []
    for url in dict.fromkeys(o.url for o in objects):
        mine = [o for o in objects if o.url == url]
        hive = all("=" in part for o in mine for part in o.relative.split("/")[:-1])
        bucket, prefix = s3_files.split(url)
        files = [f"s3://{bucket}/{o.key}" for o in mine]
        reader = spark.read
        if hive and any("/" in o.relative for o in mine):
            reader = reader.option("basePath", f"s3://{bucket}/" + (prefix.rstrip("/") + "/" if prefix else ""))
        frames.append(_read_files(reader, fmt, opts, files))
    df = frames[0]
    for other in frames[1:]:
        df = df.unionByName(other, allowMissingColumns=True)
    return df


def _read_files(reader, fmt: str, opts: dict, files: list[str]) -> DataFrame:
    if fmt == "json":
        reader = reader.option("multiLine", _truthy(opts.get("multiline", opts.get("multiLine", False))))
        return reader.json(files)
    if fmt == "csv":
        reader = (reader.option("header", _truthy(opts.get("withHeader", False)))
                  .option("sep", opts.get("separator", ","))
                  .option("quote", opts.get("quoteChar", '"'))
                  .option("escape", opts.get("escaper", "\\"))
                  .option("inferSchema", "true"))
        return reader.csv(files)
    return reader.parquet(*files)


def read_kinesis(spark, options: dict, columns: list[dict] | None = None) -> DataFrame:
    spark.dataSource.register(KinesisDataSource)
    opts = {k: str(v) for k, v in options.items()
            if k in ("streamName", "streamARN", "startingPosition", "maxFetchRecordsPerShard")}
    if str(options.get("classification", "json")).lower() != "json":
        raise not_provided(f"Kinesis source classification '{options.get('classification')}'", "json is")
    df = spark.readStream.format("lab_kinesis").options(**opts).load()
    if _truthy(options.get("inferSchema", False)) or not columns:
        return df   # parsed per batch by forEachBatch
    schema = T.StructType([T.StructField(c["Name"], spark_type(c["Type"])) for c in columns])
    return df.select(F.from_json(F.col(f"`{RAW_COLUMN}`"), schema).alias("r")).select("r.*")


class DataFrameReader(Strict):
    """glueContext.create_data_frame: DataFrames (streaming ones for Kinesis)."""

    def __init__(self, glue_context):
        self._glue = glue_context

    def from_catalog(self, database: str | None = None, table_name: str | None = None, redshift_tmp_dir: str = "",
                     transformation_ctx: str = "", push_down_predicate: str = "", additional_options=None,
                     catalog_id=None, name_space: str | None = None, **kwargs) -> DataFrame:
        database = database or name_space
        source = catalog_client.table_source(database, table_name)
        options = dict(additional_options or {})
        if source.kind == "kinesis":
            merged = {**source.stream, "classification": source.classification, **options}
            return read_kinesis(self._glue.spark_session, merged, source.columns)
        df = read_s3(self._glue.spark_session, {"paths": [source.location]}, source.classification,
                     source.format_options, transformation_ctx)
        return df.filter(push_down_predicate) if push_down_predicate else df

    def from_options(self, connection_type: str, connection_options=None, format: str | None = None,
                     format_options=None, transformation_ctx: str = "", push_down_predicate: str = "",
                     **kwargs) -> DataFrame:
        connection_options = dict(connection_options or {})
        if connection_type == "kinesis":
            return read_kinesis(self._glue.spark_session, {"classification": format or "json", **connection_options})
        if connection_type != "s3":
            raise not_provided(f"connection_type '{connection_type}'", "s3 and kinesis are")
        df = read_s3(self._glue.spark_session, connection_options, format, format_options, transformation_ctx)
        return df.filter(push_down_predicate) if push_down_predicate else df


class DynamicFrameReader(Strict):
    """glueContext.create_dynamic_frame: DynamicFrames from S3 or the catalog."""

    def __init__(self, glue_context):
        self._glue = glue_context
        self._frames = DataFrameReader(glue_context)

    def from_catalog(self, database: str | None = None, table_name: str | None = None, redshift_tmp_dir: str = "",
                     transformation_ctx: str = "", push_down_predicate: str = "", additional_options=None,
                     catalog_id=None, name_space: str | None = None, **kwargs) -> DynamicFrame:
        database = database or name_space
        source = catalog_client.table_source(database, table_name)
        if source.kind == "kinesis":
            raise ValueError(f"{database}.{table_name} is a Kinesis table: read it with "
                             "create_data_frame.from_catalog and forEachBatch")
        df = self._frames.from_catalog(database, table_name, transformation_ctx=transformation_ctx,
                                       push_down_predicate=push_down_predicate)
        return DynamicFrame(df, self._glue, transformation_ctx)

    def from_options(self, connection_type: str, connection_options=None, format: str | None = None,
                     format_options=None, transformation_ctx: str = "", push_down_predicate: str = "",
                     **kwargs) -> DynamicFrame:
        if connection_type == "kinesis":
            raise ValueError("a Kinesis source is read with create_data_frame.from_options and forEachBatch")
        df = self._frames.from_options(connection_type, connection_options, format, format_options,
                                       transformation_ctx, push_down_predicate)
        return DynamicFrame(df, self._glue, transformation_ctx)

    def from_rdd(self, data, name: str, schema=None, sample_ratio=None, **kwargs) -> DynamicFrame:
        df = self._glue.spark_session.createDataFrame(data, schema=schema, samplingRatio=sample_ratio)
        return DynamicFrame(df, self._glue, name)
