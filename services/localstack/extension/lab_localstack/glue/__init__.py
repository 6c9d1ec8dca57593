"""The lab's AWS Glue provider for LocalStack 4.14.0 (whose community edition has none).

Selected with PROVIDER_OVERRIDE_GLUE=lab (entry point `glue:lab`) and `glue` in SERVICES.

Where things are:
  plugin.py          entry point
  provider.py        the provider class: the mixins below over one store
  catalog_api.py     databases, tables and table versions (Create/Get/GetAll/Update/Delete)
  partitions_api.py  partitions (Create/BatchCreate/Get/GetPartitions/BatchGet/Update/Delete)
  partition_indexes_api.py  Create/Get/DeletePartitionIndex, PartitionIndexes at CreateTable
  crawlers_api.py    crawlers: definitions, READY/RUNNING/STOPPING, LastCrawl, GetCrawlerMetrics
  tags_api.py        TagResource/UntagResource/GetTags on database and crawler ARNs, Tags at create
  jobs_api.py        jobs and job runs (Create/Get/Update/Delete/ListJobs, StartJobRun, GetJobRun(s),
                     BatchStopJobRun); job_store.py, job_runs.py, job_logs.py, spark_runner.py;
                     job_runtime/: the lab's `awsglue` over PySpark (see job_runtime/README.md)
  json_file.py       the stores' JSON files (atomic write, tolerant read)
  crawl.py           one crawl of an S3 target: tables, columns, partitions (Hive or partition_N)
  schema_inference.py  classification (json/parquet/csv) and Glue types from object samples
  partition_filter.py  GetPartitions' Expression, evaluated by DuckDB after a sqlglot parse
  models.py          the stores (GlueStore per account and region, LocalStack's BaseStore)
  catalog.py         their persistence: LOCALSTACK_VOLUME_DIR/lab-glue/catalog.json
  shapes.py          stored records <-> response shapes (timestamps, AWS's defaults)
  validation.py      names, required members, partition values; Glue's not-found messages
                     (errors and pages: lab_localstack/aws_api.py)

Choices: the catalog is the lab's own storage (not moto's Glue backend: its error
messages and missing shapes would have to be patched over, and it does not persist);
database and table names are stored in lower case, as Glue does. Every catalog has the
`default` database AWS gives each account ("Default Hive database"), put back at start if
deleted. Operations the lab does not implement answer OperationNotSupportedException
(lab_localstack/unsupported.py). A crawler makes one table per S3 target (named after the
target's last path component), samples the first 1 MB of every object, and shows
STOPPING briefly (0.3 s) after a crawl.
"""
