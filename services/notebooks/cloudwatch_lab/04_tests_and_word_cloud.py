# Databricks notebook source
# MAGIC %md
# MAGIC # 4. Tests and the word cloud
# MAGIC
# MAGIC Simple checks that the gold tables account for every line of the sink, then a word cloud of the
# MAGIC words in the request paths (`/presentations/logstash-monitorama-2013/images/kibana-search.png` gives
# MAGIC `presentations`, `logstash`, `monitorama`, `images`, `kibana`, `search`).

# COMMAND ----------

raw_records = spark.table("cloudwatch_logs_raw").count()
logs = spark.table("access_logs")
parsed = logs.count()
assert raw_records > 0, "the sink's bucket holds no records: is the S3 sink running?"
assert parsed == raw_records, f"{raw_records} sink records but {parsed} parsed rows"

# COMMAND ----------

# DBTITLE 1,Every line parsed: an address, a time, a status
# MAGIC %sql
# MAGIC SELECT count(*) AS unparsed FROM access_logs WHERE ip IS NULL OR request_time IS NULL OR status IS NULL

# COMMAND ----------

unparsed = spark.sql("SELECT count(*) AS n FROM access_logs "
                     "WHERE ip IS NULL OR request_time IS NULL OR status IS NULL").first().n
assert unparsed == 0, f"{unparsed} lines did not parse"

# COMMAND ----------

# DBTITLE 1,Each gold table counts every request once
for table in ("gold_requests_per_browser", "gold_requests_per_country", "gold_bytes_per_ip",
              "gold_requests_per_day_hour"):
    total = spark.sql(f"SELECT sum(requests) AS n FROM {table}").first().n
    assert total == parsed, f"{table}: {total} requests, {parsed} rows in access_logs"

failed = spark.sql("SELECT count(*) AS n FROM access_logs WHERE status >= 400").first().n
assert spark.sql("SELECT coalesce(sum(requests), 0) AS n FROM gold_failed_requests").first().n == failed
assert spark.sql("SELECT count(*) AS n FROM gold_failed_requests WHERE status < 400").first().n == 0

# COMMAND ----------

# DBTITLE 1,Bytes per IP: the same total as the parsed rows ('-' counts 0)
total_bytes = spark.sql("SELECT sum(CASE WHEN response_size = '-' THEN 0 ELSE CAST(response_size AS BIGINT) END) "
                        "AS n FROM access_logs").first().n or 0
assert spark.sql("SELECT sum(response_bytes) AS n FROM gold_bytes_per_ip").first().n == total_bytes
assert spark.sql("SELECT count(*) AS n FROM gold_bytes_per_ip WHERE response_bytes < 0").first().n == 0

# COMMAND ----------

# DBTITLE 1,Word cloud of the request paths
from wordcloud import STOPWORDS, WordCloud

path_words = spark.sql("""
  SELECT word, count(*) AS requests
  FROM (SELECT explode(split(lower(path), '[^a-z0-9]+')) AS word FROM access_logs)
  WHERE length(word) >= 3 AND word NOT RLIKE '^[0-9]+$'
  GROUP BY word ORDER BY requests DESC LIMIT 200
""")
frequencies = {row.word: row.requests for row in path_words.collect() if row.word not in STOPWORDS}
cloud = WordCloud(width=1000, height=500, background_color="white").generate_from_frequencies(frequencies)
display(cloud)
