"""The CloudWatch lab notebooks' analysis as one plain PySpark script (DataFrame API, no runner,
no notebooks), for `make bench` to time beside the notebooks: the S3 sink's JSON-lines objects
from a local folder -> the access-log line -> parsed columns -> the five gold tables as Parquet,
countries through a Python UDF over geoip2.

Usage (the Spark venv): python notebooks_plain_pyspark.py SINK_FOLDER OUT_FOLDER MMDB
Prints `rows <n>` and `seconds <s>` (SparkSession start included).
"""
import os
import sys
import time

started = time.monotonic()
os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
os.environ.setdefault("PYSPARK_PYTHON", sys.executable)

from pyspark.sql import SparkSession
from pyspark.sql import functions as F

source, out, mmdb = sys.argv[1:4]
spark = (SparkSession.builder.master("local[*]").appName("plain-notebooks-analysis")
         .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
         .config("spark.driver.bindAddress", "127.0.0.1").config("spark.driver.memory", "2g")
         .config("spark.sql.shuffle.partitions", "8").config("spark.sql.session.timeZone", "UTC")
         .getOrCreate())


def country(ip):
    import geoip2.database
    import geoip2.errors

    global _READER
    if "_READER" not in globals():
        _READER = geoip2.database.Reader(mmdb)
    try:
        return _READER.city(ip).country.iso_code or "Unknown"
    except (geoip2.errors.AddressNotFoundError, ValueError):
        return "Unknown"


country_udf = F.udf(country, "string")
COMBINED = r'^(\S+) \S+ \S+ \[([^\]]+)\] "(\S+) (\S+)[^"]*" (\d{3}) (\S+) "([^"]*)" "([^"]*)"?$'
raw = (spark.read.option("recursiveFileLookup", "true").option("pathGlobFilter", "*[0-9].json").text(source))
line = F.coalesce(F.get_json_object("value", "$.message"), F.get_json_object("value", "$"))
logs = raw.select(
    F.regexp_extract(line, COMBINED, 1).alias("ip"),
    F.to_timestamp(F.regexp_extract(line, COMBINED, 2), "dd/MMM/yyyy:HH:mm:ss Z").alias("request_time"),
    F.regexp_extract(line, COMBINED, 4).alias("path"),
    F.regexp_extract(line, COMBINED, 5).cast("int").alias("status"),
    F.regexp_extract(line, COMBINED, 6).alias("response_size"),
    F.regexp_extract(line, COMBINED, 8).alias("user_agent")).cache()
agent, low = F.col("user_agent"), F.lower("user_agent")
browser = (F.when(low.contains("bot") | low.contains("spider") | low.contains("crawl"), "Bot")
           .when(agent.contains("Edg"), "Edge").when(agent.contains("OPR") | agent.contains("Opera"), "Opera")
           .when(agent.contains("Chrome"), "Chrome").when(agent.contains("Firefox"), "Firefox")
           .when(agent.contains("MSIE") | agent.contains("Trident"), "Internet Explorer")
           .when(agent.contains("Safari"), "Safari").otherwise("Other"))
size = F.when(F.col("response_size") == "-", 0).otherwise(F.col("response_size")).cast("bigint")
tables = {
    "gold_requests_per_browser": logs.groupBy(browser.alias("browser")).agg(F.count("*").alias("requests")),
    "gold_requests_per_country": logs.groupBy("ip").agg(F.count("*").alias("n"))
    .groupBy(country_udf("ip").alias("country")).agg(F.sum("n").alias("requests")),
    "gold_bytes_per_ip": logs.groupBy("ip").agg(F.count("*").alias("requests"), F.sum(size).alias("response_bytes")),
    "gold_failed_requests": logs.where("status >= 400").groupBy("status").agg(F.count("*").alias("requests")),
    "gold_requests_per_day_hour": logs.groupBy(F.to_date("request_time").alias("day"),
                                               F.hour("request_time").alias("hour")).agg(F.count("*").alias("requests")),
}
for name, frame in tables.items():
    frame.write.mode("overwrite").parquet(os.path.join(out, name))
rows = spark.read.parquet(os.path.join(out, "gold_requests_per_browser")).agg(F.sum("requests")).first()[0]
spark.stop()
print("rows", rows)
print("seconds", round(time.monotonic() - started, 2))
