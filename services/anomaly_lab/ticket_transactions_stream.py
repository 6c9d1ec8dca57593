# ruff: noqa: F841  (kept as Glue Studio writes it: every node is assigned)
# The anomaly-detection lab's Glue streaming job, in the shape Glue Studio generates for
# "Spark Streaming": source = the Kinesis catalog table, target = S3, Parquet, uncompressed,
# partitioned by ingestion time. It runs unchanged on AWS Glue and on the lab's Spark.
# Job parameters: --JOB_NAME and --TempDir (set by Glue), --output_path (the S3 target).
import sys

from awsglue import DynamicFrame
from awsglue.context import GlueContext
from awsglue.job import Job
from awsglue.transforms import *
from awsglue.utils import getResolvedOptions
from pyspark.context import SparkContext

args = getResolvedOptions(sys.argv, ["JOB_NAME", "TempDir", "output_path"])
sc = SparkContext()
glueContext = GlueContext(sc)
spark = glueContext.spark_session
job = Job(glueContext)
job.init(args["JOB_NAME"], args)

# Script generated for node Kinesis Stream
dataframe_KinesisStream_node1 = glueContext.create_data_frame.from_catalog(
    database="tickettransactiondatabase",
    table_name="tickettransactionstreamdata",
    additional_options={"startingPosition": "TRIM_HORIZON", "inferSchema": "true"},
    transformation_ctx="dataframe_KinesisStream_node1",
)


def processBatch(data_frame, batchId):
    if data_frame.count() > 0:
        KinesisStream_node1 = DynamicFrame.fromDF(
            glueContext.add_ingestion_time_columns(data_frame, "hour"),
            glueContext,
            "from_data_frame",
        )
        # Script generated for node S3 bucket
        S3bucket_node3 = glueContext.write_dynamic_frame.from_options(
            frame=KinesisStream_node1,
            connection_type="s3",
            format="parquet",
            connection_options={
                "path": args["output_path"],
                "partitionKeys": ["ingest_year", "ingest_month", "ingest_day", "ingest_hour"],
            },
            format_options={"compression": "uncompressed"},
            transformation_ctx="S3bucket_node3",
        )


glueContext.forEachBatch(
    frame=dataframe_KinesisStream_node1,
    batch_function=processBatch,
    options={
        "windowSize": "10 seconds",
        "checkpointLocation": args["TempDir"] + "/" + args["JOB_NAME"] + "/checkpoint/",
    },
)
job.commit()
