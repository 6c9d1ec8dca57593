-- Databricks notebook source
-- MAGIC %md
-- MAGIC # 2. The raw table and the parsed view
-- MAGIC
-- MAGIC Every object of the sink is text, one JSON record per line. The table reads them all, recursively
-- MAGIC under `topics/<topic>/year=YYYY/`; the objects holding the Kafka keys (`store.kafka.keys`:
-- MAGIC `.keys.bin` or `.keys.json`, lines like `Struct{logGroupName=...}`) are left out by the file-name
-- MAGIC filter (value objects end in `<startOffset>.json`). The bronze table keeps each line in Delta Lake
-- MAGIC with the object it came from (`input_file_name()`), as the workshop's notebooks do.

-- COMMAND ----------

DROP TABLE IF EXISTS cloudwatch_logs_raw;
CREATE TABLE cloudwatch_logs_raw
USING text
OPTIONS (recursiveFileLookup 'true', pathGlobFilter '*[0-9].json')
LOCATION '/mnt/cloudwatch-kafka-lab/topics/'

-- COMMAND ----------

-- DBTITLE 1,The bronze Delta table: every line with the object it came from
CREATE OR REPLACE TABLE cloudwatch_logs_bronze USING delta AS
SELECT input_file_name() AS filename, value FROM cloudwatch_logs_raw

-- COMMAND ----------

SELECT count(*) AS sink_records FROM cloudwatch_logs_bronze

-- COMMAND ----------

-- DBTITLE 1,The access-log line of a sink record (the one place that knows the record's shape)
-- Each line is the CloudWatch Logs source connector's record value as the S3 sink's JsonFormat writes
-- it: the log event's message (the Apache line, unchanged) as a JSON string, quotes escaped
-- (services/kafka_connect/README.md). A value that is a JSON object with a `message` field is read too.
CREATE OR REPLACE VIEW access_log_lines AS
SELECT coalesce(get_json_object(value, '$.message'), get_json_object(value, '$')) AS line
FROM cloudwatch_logs_bronze

-- COMMAND ----------

-- DBTITLE 1,Apache combined log format -> columns
-- 83.149.9.216 - - [17/May/2015:10:05:03 +0000] "GET /index.html HTTP/1.1" 200 203023 "referrer" "user agent"
CREATE OR REPLACE VIEW access_logs AS
SELECT ip,
       to_timestamp(request_time_text, 'dd/MMM/yyyy:HH:mm:ss Z') AS request_time,
       SUBSTRING_INDEX(request, ' ', 1) AS method,
       SUBSTRING_INDEX(SUBSTRING_INDEX(request, ' ', 2), ' ', -1) AS path,
       CAST(SUBSTRING_INDEX(status_and_size, ' ', 1) AS INT) AS status,
       SUBSTRING_INDEX(status_and_size, ' ', -1) AS response_size,
       referrer,
       user_agent
FROM (
  SELECT SUBSTRING_INDEX(line, ' ', 1) AS ip,
         SUBSTRING_INDEX(SUBSTRING_INDEX(line, ']', 1), '[', -1) AS request_time_text,
         SUBSTRING_INDEX(SUBSTRING_INDEX(line, '"', 2), '"', -1) AS request,
         TRIM(SUBSTRING_INDEX(SUBSTRING_INDEX(line, '"', 3), '"', -1)) AS status_and_size,
         SUBSTRING_INDEX(SUBSTRING_INDEX(line, '"', 4), '"', -1) AS referrer,
         SUBSTRING_INDEX(SUBSTRING_INDEX(line, '"', 6), '"', -1) AS user_agent
  FROM access_log_lines
)

-- COMMAND ----------

-- DBTITLE 1,Keep the parsed rows in memory: every gold table and test reads them
CACHE TABLE access_logs

-- COMMAND ----------

SELECT * FROM access_logs LIMIT 10
