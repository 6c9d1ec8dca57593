"""GlueContext over a SparkContext: spark_session, create_dynamic_frame, create_data_frame,
write_dynamic_frame, write_data_frame, forEachBatch, add_ingestion_time_columns, getSink,
get_logger. Anything else AWS's GlueContext has raises NotProvided naming it."""
from __future__ import annotations

import logging

from pyspark.context import SparkContext
from pyspark.sql import DataFrame, SparkSession

from awsglue import streaming
from awsglue.dynamicframe import DynamicFrame
from awsglue.missing import Strict, not_provided
from awsglue.readers import DataFrameReader, DynamicFrameReader
from awsglue.writers import DynamicFrameWriter, S3Sink


class GlueContext(Strict):
    def __init__(self, sparkContext: SparkContext | None = None, **options):
        self._sc = sparkContext or SparkContext.getOrCreate()
        self.spark_session = SparkSession(self._sc) if SparkSession.getActiveSession() is None \
            else SparkSession.getActiveSession()
        self.create_dynamic_frame = DynamicFrameReader(self)
        self.create_data_frame = DataFrameReader(self)
        self.write_dynamic_frame = DynamicFrameWriter(self)
        self.write_data_frame = DynamicFrameWriter(self)
        self.write_dynamic_frame_from_options = self.write_dynamic_frame.from_options
        self.write_dynamic_frame_from_catalog = self.write_dynamic_frame.from_catalog
        self.create_dynamic_frame_from_options = self.create_dynamic_frame.from_options
        self.create_dynamic_frame_from_catalog = self.create_dynamic_frame.from_catalog
        self.create_data_frame_from_options = self.create_data_frame.from_options
        self.create_data_frame_from_catalog = self.create_data_frame.from_catalog

    @property
    def sparkContext(self) -> SparkContext:
        return self._sc

    def get_logger(self) -> logging.Logger:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
        return logging.getLogger("awsglue")

    def forEachBatch(self, frame: DataFrame, batch_function, options: dict | None = None) -> None:
        streaming.for_each_batch(frame, batch_function, options)

    def add_ingestion_time_columns(self, dataFrame: DataFrame, timeGranularity: str = "hour") -> DataFrame:
        return streaming.add_ingestion_time_columns(dataFrame, timeGranularity)

    def getSink(self, connection_type: str, format: str | None = None, transformation_ctx: str = "",
                path: str = "", enableUpdateCatalog: bool = False, updateBehavior: str = "UPDATE_IN_DATABASE",
                partitionKeys: list[str] | None = None, **options) -> S3Sink:
        if connection_type != "s3":
            raise not_provided(f"getSink connection_type '{connection_type}'", "s3 is")
        if not path:
            raise ValueError("getSink(connection_type='s3') needs path=")
        sink = S3Sink(self, path, partitionKeys or [], bool(enableUpdateCatalog), options)
        if format:
            sink.setFormat(format)
        return sink

    def getSource(self, *args, **kwargs):
        raise not_provided("GlueContext.getSource", "use create_dynamic_frame / create_data_frame")

    def purge_s3_path(self, *args, **kwargs):
        raise not_provided("GlueContext.purge_s3_path")

    def convert_resolve_choice(self, *args, **kwargs):
        raise not_provided("GlueContext.convert_resolve_choice")


__all__ = ["DynamicFrame", "GlueContext"]
