"""The lab's faithful Kinesis Data Firehose provider for LocalStack 4.14.0.

Selected with PROVIDER_OVERRIDE_FIREHOSE=lab (entry point `firehose:lab`).

Where things are (read in this order):
  plugin.py          entry points: the provider, and a start-up hook that loads it eagerly
  provider.py        the Firehose API (create/describe/list/delete/update, puts, tags)
  models.py          the stores (FirehoseStore per account and region, LocalStack's BaseStore)
  validation.py      AWS's names, limits and configuration checks
  descriptions.py    DescribeDeliveryStream shapes with AWS's defaults; UpdateDestination merge
  stream_settings.py the delivery code's view of a description (dataclasses)
  environment.py     LAB_FIREHOSE_* / LAB_OPENSEARCH_* settings, read once and validated
  journal.py         SQLite write-ahead journal: streams, buffered records, Kinesis checkpoints
  delivery_stream.py one stream at run time: intake, buffering, its delivery thread, status
  batch_delivery.py  one batch: transform, deliver, write error outputs and backups
  lambda_processor.py  the Lambda event/response contract, retries, error codes
  s3_writer.py, s3_keys.py            S3 objects and AWS's key names
  search_delivery.py, index_rotation.py  OpenSearch/Elasticsearch _bulk, RetryDuration, index names
  error_records.py   processing-failed / *-failed / format-conversion-failed JSON lines
  lake_delivery.py   S3 objects per partition, converted to Parquet/ORC or delimited
  lake_validation.py AWS's rules for dynamic partitioning and format conversion
  partitioning.py    de-aggregation, jq / Lambda partition keys (pure)
  format_conversion.py, glue_types.py  JSON SerDes, Glue types -> Arrow, Parquet/ORC writing (pure)
  glue_schema.py     the conversion's schema: glue:GetTable through LocalStack's internal client
  kinesis_source.py  a Kinesis stream as source (GetRecords polling, no KCL/Java)
  status_api.py      GET /_lab/firehose/streams[/<name>] counters
  record_consumers.py  accepted records offered to in-process consumers (Kinesis Analytics inputs)
  counters.py        what the counters mean
  clock.py           now_ms(), the one clock of arrival and processing times

Choices where AWS leaves room (or the lab simplifies):
- Buffering follows the destination's hints (SizeInMBs / IntervalInSeconds, 0 =
  deliver at once); the processor's BufferSizeInMBs sizes each Lambda invocation
  within a batch (its BufferIntervalInSeconds is accepted, not used). Size counts
  source bytes.
- S3 keys use the arrival time of the oldest record of the object.
- Lambda failures go to ErrorOutputPrefix, else `processing-failed/` at the bucket
  root (the search destinations' backup bucket for OpenSearch/Elasticsearch);
  documents not indexed go to `<S3 prefix>AmazonOpenSearchService-failed/` or
  `<S3 prefix>elasticsearch-failed/`.
- S3BackupMode=AllDocuments backs up the documents sent to the index (the
  transformed records), as the workshop's `apache_` backup shows.
- OpenSearch and Elasticsearch 7+ refuse `_type`: a TypeName is only sent to
  Elasticsearch 6 and older (it still appears as esTypeName in failed records).
- ClusterEndpoint may be http:// (the lab's OpenSearch-API server).
- Delivery is at-least-once: a batch leaves the journal only once fully delivered.
- Dynamic partitioning: the stream's buffer is the first stage; each due batch is
  split into one object per evaluated prefix (AWS buffers each partition on its own
  hints after a multi-stage buffer). Failed key extraction goes to ErrorOutputPrefix
  as `metadata-extraction-failed`, partitions past the active limit as
  `activePartitionExceeded`. Format conversion writes `.parquet` / `.orc` objects
  (FileExtension overrides); a missing Glue table fails the records with
  DataFormatConversion.InvalidSchema instead of blocking the stream.

Environment (LocalStack's process): LAB_FIREHOSE_* and LAB_OPENSEARCH_*, read once and
validated in environment.py.
State: LOCALSTACK_VOLUME_DIR/lab-firehose/firehose.db
"""
