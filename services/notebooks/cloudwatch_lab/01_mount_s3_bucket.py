# Databricks notebook source
# MAGIC %md
# MAGIC # 1. Mount the S3 sink's bucket
# MAGIC
# MAGIC Confluent's S3 Sink connector writes the Kafka topic `cloudwatchLogsEC2.<instance id>` to the bucket
# MAGIC `cloudwatch-kafka-lab` as JSON lines: `topics/<topic>/year=YYYY/<topic>+<partition>+<startOffset>.json`.
# MAGIC Mounting the bucket makes it a DBFS path Spark reads (`/mnt/cloudwatch-kafka-lab`).
# MAGIC
# MAGIC On Databricks the source carries the IAM user's keys (`s3a://KEY:SECRET@bucket`); in the lab the
# MAGIC endpoint is the lab's LocalStack and the keys are not needed.

# COMMAND ----------

dbutils.widgets.text("bucket", "cloudwatch-kafka-lab")
dbutils.widgets.text("mount_name", "cloudwatch-kafka-lab")
AWS_BUCKET_NAME = dbutils.widgets.get("bucket")
MOUNT_NAME = dbutils.widgets.get("mount_name")
MOUNT_POINT = f"/mnt/{MOUNT_NAME}"

# COMMAND ----------

# DBTITLE 1,Mount (again, if mounted before)
if any(mount.mountPoint == MOUNT_POINT for mount in dbutils.fs.mounts()):
    dbutils.fs.unmount(MOUNT_POINT)
dbutils.fs.mount(f"s3a://{AWS_BUCKET_NAME}", MOUNT_POINT)

# COMMAND ----------

display(dbutils.fs.ls(MOUNT_POINT + "/topics"))
