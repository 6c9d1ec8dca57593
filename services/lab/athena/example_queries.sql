-- Clickstream Lab: example Amazon Athena queries over the workshop's S3 backup.
--
-- The table `apache_` is what the Glue crawler `apache_backup_crawler` makes of the
-- Firehose backup s3://clickstream-lab-backup/apache_YYYY/MM/dd/HH/ (one JSON document
-- per line, as the apache_ETL Lambda writes it; partitions partition_0..partition_3 are
-- the delivery's year, month, day and hour). Run them in the database `clickstream`.
--
-- These are Athena (Trino) SQL, not the lab's engine SQL: the same text runs unchanged
-- on real Athena over a real crawler's table. One statement per named block;
-- `make athena` runs them all and prints tables, `make athena QUERY=top_pages` one.

-- name: top_pages
-- The ten most requested paths.
SELECT path, count(*) AS hits
FROM apache_
WHERE path IS NOT NULL
GROUP BY path
ORDER BY hits DESC, path
LIMIT 10;

-- name: status_per_hour
-- The mix of HTTP status classes per hour of the log's own (UTC) time.
SELECT date_trunc('hour', from_iso8601_timestamp("@timestamp_utc")) AS hour_utc,
       concat(cast(response / 100 AS varchar), 'xx') AS status_class,
       count(*) AS requests
FROM apache_
WHERE response IS NOT NULL
GROUP BY 1, 2
ORDER BY 1, 2;

-- name: sessions_per_user
-- Sessions (PHPSESSID values) and requests per signed-in user.
SELECT username, count(DISTINCT session_id) AS sessions, count(*) AS requests
FROM apache_
WHERE username IS NOT NULL
GROUP BY username
ORDER BY sessions DESC, requests DESC, username
LIMIT 20;

-- name: failing_urls
-- The paths answered with an error most often (4xx and 5xx).
SELECT path,
       count(*) AS errors,
       count_if(response >= 500) AS server_errors,
       approx_distinct(host) AS clients
FROM apache_
WHERE response >= 400
GROUP BY path
ORDER BY errors DESC, path
LIMIT 10;
