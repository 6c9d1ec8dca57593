"""The lab's own `awsglue`: the API Glue job scripts import (GlueContext, DynamicFrame,
transforms, Job, getResolvedOptions) over plain PySpark, so that scripts written for AWS Glue
(and those Glue Studio generates) run unchanged on the lab's Spark. Not AWS's package: that
one needs AWS's closed Glue ETL jar. Spark reads and writes S3 in place through s3a (boto3 lists
and moves objects: s3_files.py); Kinesis is reached through boto3 (kinesis_source.py).

What this package does not provide fails with NotProvided naming it (missing.py), never
silently. See services/localstack/extension/lab_localstack/glue/job_runtime/README.md.
"""
from awsglue.dynamicframe import DynamicFrame, DynamicFrameCollection

__all__ = ["DynamicFrame", "DynamicFrameCollection"]
