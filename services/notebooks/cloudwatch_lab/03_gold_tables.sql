-- Databricks notebook source
-- MAGIC %md
-- MAGIC # 3. Gold tables
-- MAGIC
-- MAGIC Requests per browser, per country, bytes per client IP, failed requests, requests per day and hour.
-- MAGIC
-- MAGIC The tables are Delta tables (`CREATE OR REPLACE TABLE ... USING delta AS SELECT`), as on Databricks:
-- MAGIC the lab's Spark runs Delta Lake itself (`DESCRIBE HISTORY gold_requests_per_browser` shows each run).

-- COMMAND ----------

-- DBTITLE 1,ip_to_location: the country of a client address (GeoIP)
-- MAGIC %python
-- MAGIC import geoip2.database
-- MAGIC import geoip2.errors
-- MAGIC import maxminddb
-- MAGIC
-- MAGIC # MaxMind's GeoLite2 City (or DB-IP's city database): comma-separated .mmdb files, the first that knows
-- MAGIC # an address answers (DB-IP ships its IPv4 and IPv6 ranges as two files).
-- MAGIC dbutils.widgets.text("geoip_database", "/dbfs/FileStore/geoip/GeoLite2-City.mmdb")
-- MAGIC GEOIP_DATABASES = [path for path in dbutils.widgets.get("geoip_database").split(",") if path]
-- MAGIC _readers = {}
-- MAGIC
-- MAGIC
-- MAGIC def _reader(path):
-- MAGIC     if path not in _readers:
-- MAGIC         _readers[path] = geoip2.database.Reader(path)
-- MAGIC     return _readers[path]
-- MAGIC
-- MAGIC
-- MAGIC def _country_code(path, ip):
-- MAGIC     reader = _reader(path)
-- MAGIC     kind = reader.metadata().database_type
-- MAGIC     if "City" in kind:  # MaxMind's schema: GeoLite2-City, GeoIP2-City, DBIP-City-Lite
-- MAGIC         return reader.city(ip).country.iso_code
-- MAGIC     if "Country" in kind:
-- MAGIC         return reader.country(ip).country.iso_code
-- MAGIC     # the ip-location-db project's DB-IP files ("city ipv4", "city ipv6") hold flat records
-- MAGIC     if ("flat", path) not in _readers:
-- MAGIC         _readers[("flat", path)] = maxminddb.open_database(path)
-- MAGIC     record = _readers[("flat", path)].get(ip)
-- MAGIC     return record.get("country_code") if isinstance(record, dict) else None
-- MAGIC
-- MAGIC
-- MAGIC def ip_to_location(ip):
-- MAGIC     """The ISO 3166 country code of a client address; 'Unknown' when no database knows it."""
-- MAGIC     for path in GEOIP_DATABASES:
-- MAGIC         try:
-- MAGIC             code = _country_code(path, ip)
-- MAGIC         except (geoip2.errors.AddressNotFoundError, ValueError):
-- MAGIC             code = None
-- MAGIC         if code:
-- MAGIC             return code
-- MAGIC     return "Unknown"
-- MAGIC
-- MAGIC
-- MAGIC spark.udf.register("ip_to_location", ip_to_location)

-- COMMAND ----------

-- DBTITLE 1,Requests per browser
CREATE OR REPLACE TABLE gold_requests_per_browser USING delta AS
SELECT browser, count(*) AS requests
FROM (
  SELECT CASE
           WHEN lower(user_agent) LIKE '%bot%' OR lower(user_agent) LIKE '%spider%'
                OR lower(user_agent) LIKE '%crawl%' THEN 'Bot'
           WHEN user_agent LIKE '%Edg%' THEN 'Edge'
           WHEN user_agent LIKE '%OPR%' OR user_agent LIKE '%Opera%' THEN 'Opera'
           WHEN user_agent LIKE '%Chrome%' THEN 'Chrome'
           WHEN user_agent LIKE '%Firefox%' THEN 'Firefox'
           WHEN user_agent LIKE '%MSIE%' OR user_agent LIKE '%Trident%' THEN 'Internet Explorer'
           WHEN user_agent LIKE '%Safari%' THEN 'Safari'
           ELSE 'Other'
         END AS browser
  FROM access_logs
)
GROUP BY browser

-- COMMAND ----------

-- DBTITLE 1,Requests per country (GeoIP, through the Python UDF)
CREATE OR REPLACE TABLE gold_requests_per_country USING delta AS
SELECT ip_to_location(ip) AS country, sum(requests) AS requests
FROM (SELECT ip, count(*) AS requests FROM access_logs GROUP BY ip)
GROUP BY ip_to_location(ip)

-- COMMAND ----------

-- DBTITLE 1,Requests and bytes per client IP ('-' means no body: 0 bytes)
CREATE OR REPLACE TABLE gold_bytes_per_ip USING delta AS
SELECT ip,
       count(*) AS requests,
       sum(CAST(decode(response_size, '-', 0, NVL(response_size, 0)) AS BIGINT)) AS response_bytes
FROM access_logs
GROUP BY ip

-- COMMAND ----------

-- DBTITLE 1,Failed requests (status 400 and above)
CREATE OR REPLACE TABLE gold_failed_requests USING delta AS
SELECT status, count(*) AS requests
FROM access_logs
WHERE status >= 400
GROUP BY status

-- COMMAND ----------

-- DBTITLE 1,Requests per day and hour (UTC)
CREATE OR REPLACE TABLE gold_requests_per_day_hour USING delta AS
SELECT to_date(request_time) AS day, hour(request_time) AS hour, count(*) AS requests
FROM access_logs
GROUP BY to_date(request_time), hour(request_time)

-- COMMAND ----------

SELECT * FROM gold_requests_per_browser ORDER BY requests DESC
