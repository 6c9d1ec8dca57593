"""The statements the differential suite runs on both engines: the example queries
(services/lab/athena/example_queries.sql, over the crawled backup `apache_`), and the
queries of tests/athena (test_queries, test_aws_examples, test_views, the clients' reads)
over the same kinds of tables: `apache_logs` (JSON Lines through the OpenX SerDe with
column mappings, GZIP and a malformed line, partitions added by ALTER TABLE) and `typed`
(Parquet written by pyarrow with every common type). Each maps a name to one statement;
failures compare by Trino's error name."""
from __future__ import annotations

APACHE_LOGS_DDL = """CREATE EXTERNAL TABLE apache_logs (
  host string, ts string, path string, response int, bytes bigint, useragent string,
  username string, is_bot boolean)
PARTITIONED BY (year string, month string, day string, hour string)
ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'
WITH SERDEPROPERTIES ('mapping.ts'='@timestamp', 'mapping.useragent'='user-agent',
                      'ignore.malformed.json'='true')
LOCATION 's3://{bucket}/apache_logs/'"""

APACHE_LOGS_PARTITIONS = """ALTER TABLE apache_logs ADD
  PARTITION (year='2026', month='11', day='03', hour='03') LOCATION 's3://{bucket}/apache_logs/2026/11/03/03/'
  PARTITION (year='2026', month='11', day='03', hour='04') LOCATION 's3://{bucket}/apache_logs/2026/11/03/04/'"""

TYPED_DDL = """CREATE EXTERNAL TABLE typed (
  id int, big bigint, ratio double, name string, flag boolean, at timestamp, day date,
  price decimal(10,2), tags array<string>, attrs map<string,int>, point struct<x:int,y:string>)
STORED AS PARQUET LOCATION 's3://{bucket}/typed/'"""

QUERIES: dict[str, str] = {
    # tests/athena/test_queries.py over Firehose-style JSON
    "json_rows": "SELECT host, ts, useragent, response, bytes, is_bot, hour FROM apache_logs",
    "json_counts": "SELECT count(*), count(host) FROM apache_logs",
    "json_regexp_extract": "SELECT regexp_extract(path, '/products/(\\d+)', 1) AS product, count(*) AS n "
                           "FROM apache_logs GROUP BY 1 ORDER BY 1",
    "json_order_by": "SELECT host, response FROM apache_logs WHERE host IS NOT NULL ORDER BY response",
    "json_partition_filter": "SELECT hour, count(*) FROM apache_logs WHERE hour = '04' GROUP BY hour",
    "json_iso_timestamps": "SELECT from_iso8601_timestamp(ts) AS t, date_trunc('hour', from_iso8601_timestamp(ts)) "
                           "AS h FROM apache_logs ORDER BY ts",
    "json_timestamp_parts": "SELECT year(from_iso8601_timestamp(ts)) y, hour(from_iso8601_timestamp(ts)) h, "
                            "to_unixtime(from_iso8601_timestamp(ts)) u FROM apache_logs ORDER BY ts",
    "json_strings": "SELECT upper(host), length(path), split_part(path, '/', 2), concat(host, ':', path), "
                    "substr(path, 2, 3), strpos(path, 'c'), replace(path, '/', '|') FROM apache_logs",
    "json_coalesce_case": "SELECT coalesce(username, 'anonymous') u, CASE WHEN response >= 500 THEN 'server' "
                          "WHEN response >= 400 THEN 'client' ELSE 'ok' END c FROM apache_logs",
    "json_integer_division": "SELECT response / 100, response % 7, bytes / 3, bytes * 1.5 FROM apache_logs",
    "json_count_if_approx": "SELECT count_if(response >= 400), approx_distinct(host), max(bytes), min(bytes), "
                            "avg(bytes), sum(bytes) FROM apache_logs",
    "json_group_having": "SELECT host, count(*) n FROM apache_logs GROUP BY host HAVING count(*) > 1",
    "json_window": "SELECT host, path, row_number() OVER (PARTITION BY host ORDER BY ts) rn, "
                   "count(*) OVER (PARTITION BY host) n FROM apache_logs",
    "json_cte_join": "WITH hits AS (SELECT host, count(*) n FROM apache_logs GROUP BY host) "
                     "SELECT a.path, h.n FROM apache_logs a JOIN hits h ON a.host = h.host",
    "json_union": "SELECT host FROM apache_logs UNION SELECT username FROM apache_logs",
    "json_distinct_in": "SELECT DISTINCT path FROM apache_logs WHERE response IN (200, 404)",
    "json_like": "SELECT path FROM apache_logs WHERE useragent LIKE 'Moz%' OR path LIKE '%7'",
    "json_casts": "SELECT cast(response AS varchar), cast(bytes AS double), try_cast(host AS integer), "
                  "cast('12' AS bigint) FROM apache_logs",
    "json_array_agg": "SELECT host, array_join(array_sort(array_agg(path)), ',') FROM apache_logs GROUP BY host",
    "json_between_nulls": "SELECT count(*) FROM apache_logs WHERE bytes BETWEEN 1 AND 600 OR bytes IS NULL",
    # Parquet with every common type (tests/athena/test_ctas_formats, wrangler_dataset)
    "parquet_all_columns": "SELECT * FROM typed",
    "parquet_order_limit": "SELECT id, name, ratio FROM typed ORDER BY ratio DESC LIMIT 2",
    "parquet_decimal_sum": "SELECT sum(price), avg(price), max(price) FROM typed",
    "parquet_dates": "SELECT day, date_add('day', 3, day), date_diff('day', day, DATE '2026-12-31'), "
                     "date_format(at, '%Y-%m-%d %H:%i') FROM typed",
    "parquet_array_functions": "SELECT id, cardinality(tags), contains(tags, 'a'), element_at(tags, 1), "
                               "tags FROM typed",
    "parquet_unnest": "SELECT id, t FROM typed CROSS JOIN UNNEST(tags) AS x(t)",
    "parquet_map": "SELECT id, attrs, element_at(attrs, 'k') FROM typed",
    "parquet_struct": "SELECT id, point, point.x, point.y FROM typed",
    "parquet_boolean_filter": "SELECT id FROM typed WHERE flag",
    "parquet_doubles": "SELECT ratio, ratio * 1e9, round(ratio, 1), sqrt(ratio), ratio / 0.0 FROM typed",
    "parquet_timestamp_literals": "SELECT at, at + INTERVAL '1' HOUR, TIMESTAMP '2026-11-03 10:00:00' FROM typed",
    "parquet_join_json": "SELECT t.id, count(a.path) FROM typed t LEFT JOIN apache_logs a "
                         "ON a.response = t.id * 100 GROUP BY t.id",
    "literals": "SELECT 1, 'a', 2.5, true, NULL, DATE '2026-01-02', ARRAY[1, 2], MAP(ARRAY['a'], ARRAY[1])",
    "json_functions": "SELECT json_extract_scalar('{\"a\": {\"b\": 7}}', '$.a.b'), "
                      "json_format(json_parse('[1, 2]')), json_array_length('[1, 2, 3]')",
    # failures (tests/athena/test_queries.py::test_failures)
    "error_syntax": "SELECT host FRM apache_logs",
    "error_table_not_found": "SELECT * FROM nope",
    "error_column_not_found": "SELECT nosuch FROM apache_logs",
    "error_schema_not_found": "SELECT * FROM nodb.t",
    "error_function_not_found": "SELECT nosuchfunction(host) FROM apache_logs",
    "error_type_mismatch": "SELECT host + 1 FROM apache_logs",
    "error_division_by_zero": "SELECT response / 0 FROM apache_logs",
    "error_invalid_cast": "SELECT cast(host AS integer) FROM apache_logs",
    "error_two_statements": "SELECT 1; SELECT 2",
}

# The example queries are added by name from the lab's own file (test_differential.py).
ORDERED_EXAMPLES = ("top_pages", "status_per_hour", "sessions_per_user", "failing_urls")
