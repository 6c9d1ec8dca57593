-- Amazon Athena's own examples, copied from the Amazon Athena User Guide
-- (awsdocs/amazon-athena-user-guide; sample code under the repository's modified MIT
-- licence, LICENSE-SAMPLECODE). tests/athena/test_aws_examples.py runs each block
-- unchanged except for the S3 LOCATION, which it points at its own bucket.

-- name: apache_ddl
-- doc_source/querying-apache-logs.md (commit 3b260a08afc5979b05c456fed8cbbd0fc87b1633)
CREATE EXTERNAL TABLE apache_logs(
  client_ip string,
  client_id string,
  user_id string,
  request_received_time string,
  client_request string,
  server_status string,
  returned_obj_size string
  )
ROW FORMAT SERDE
   'com.amazonaws.glue.serde.GrokSerDe'
WITH SERDEPROPERTIES (
   'input.format'='^%{IPV4:client_ip} %{DATA:client_id} %{USERNAME:user_id} %{GREEDYDATA:request_received_time} %{QUOTEDSTRING:client_request} %{DATA:server_status} %{DATA: returned_obj_size}$'
   )
STORED AS INPUTFORMAT
   'org.apache.hadoop.mapred.TextInputFormat'
OUTPUTFORMAT
   'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'
LOCATION
   's3://bucket-name/apache-log-folder/';

-- name: apache_404
SELECT request_received_time, client_request, server_status
FROM apache_logs
WHERE server_status = '404'

-- name: apache_200
SELECT user_id, request_received_time, client_request, server_status
FROM apache_logs
WHERE server_status = '200'

-- name: elb_ddl
-- doc_source/elasticloadbalancer-classic-logs.md (commit 02015604a1d7ab061507be481d5bb0e42ad6250f)
CREATE EXTERNAL TABLE IF NOT EXISTS elb_logs (
 request_timestamp string,
 elb_name string,
 request_ip string,
 request_port int,
 backend_ip string,
 backend_port int,
 request_processing_time double,
 backend_processing_time double,
 client_response_time double,
 elb_response_code string,
 backend_response_code string,
 received_bytes bigint,
 sent_bytes bigint,
 request_verb string,
 url string,
 protocol string,
 user_agent string,
 ssl_cipher string,
 ssl_protocol string
)
ROW FORMAT SERDE 'org.apache.hadoop.hive.serde2.RegexSerDe'
WITH SERDEPROPERTIES (
 'serialization.format' = '1',
 'input.regex' = '([^ ]*) ([^ ]*) ([^ ]*):([0-9]*) ([^ ]*)[:\-]([0-9]*) ([-.0-9]*) ([-.0-9]*) ([-.0-9]*) (|[-0-9]*) (-|[-0-9]*) ([-0-9]*) ([-0-9]*) \\\"([^ ]*) ([^ ]*) (- |[^ ]*)\\\" (\"[^\"]*\") ([A-Z0-9-]+) ([A-Za-z0-9.-]*)$' )
LOCATION 's3://your_log_bucket/prefix/AWSLogs/AWS_account_ID/elasticloadbalancing/';

-- name: elb_errors
SELECT
 request_timestamp,
 elb_name,
 backend_ip,
 backend_response_code
FROM elb_logs
WHERE backend_response_code LIKE '4%' OR
      backend_response_code LIKE '5%'
LIMIT 100;

-- name: elb_backend_time
SELECT sum(backend_processing_time) AS
 total_ms,
 elb_name,
 backend_ip
FROM elb_logs WHERE backend_ip <> ''
GROUP BY backend_ip, elb_name
LIMIT 100;

-- name: firehose_ddl
-- doc_source/partition-projection-kinesis-firehose-example.md: the default Firehose layout
-- with partition projection. AWS elides the columns and the format ("..."); the lab fills
-- them with the ETL document's columns and the OpenX JSON SerDe (mapping the keys that
-- are not valid column names), and keeps the rest as AWS wrote it.
CREATE EXTERNAL TABLE my_ingested_data (
 host string,
 ts string,
 path string,
 response int,
 bytes bigint,
 useragent string
)
ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'
WITH SERDEPROPERTIES ('mapping.ts' = '@timestamp_utc', 'mapping.useragent' = 'user-agent')
PARTITIONED BY (
 datehour STRING
)
LOCATION "s3://amzn-s3-demo-bucket/prefix/"
TBLPROPERTIES (
 "projection.enabled" = "true",
 "projection.datehour.type" = "date",
 "projection.datehour.format" = "yyyy/MM/dd/HH",
 "projection.datehour.range" = "2021/01/01/00,NOW",
 "projection.datehour.interval" = "1",
 "projection.datehour.interval.unit" = "HOURS",
 "storage.location.template" = "s3://amzn-s3-demo-bucket/prefix/${datehour}/"
)
