"""The lab's own `awsglue`: the API Glue job scripts import (GlueContext, DynamicFrame,
transforms, Job, getResolvedOptions) over plain PySpark, so that scripts written for AWS Glue
(and those Glue Studio generates) run unchanged on the lab's Spark. Not AWS's package: that
one needs AWS's closed Glue ETL jar. S3 and Kinesis are reached through boto3 against the lab
(s3_files.py, kinesis_source.py); Spark does the reading, transforming and writing.

What this package does not provide fails with NotProvided naming it (missing.py), never
silently. See services/localstack/extension/lab_localstack/glue/job_runtime/README.md.
"""
from awsglue.dynamicframe import DynamicFrame, DynamicFrameCollection

__all__ = ["DynamicFrame", "DynamicFrameCollection"]
