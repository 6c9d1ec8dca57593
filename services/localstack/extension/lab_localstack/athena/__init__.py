"""The lab's Amazon Athena provider for LocalStack 4.14.0 (whose community edition has none).

Selected with PROVIDER_OVERRIDE_ATHENA=lab (entry point `athena:lab`) and `athena` in
SERVICES. Tables come from the lab's Glue Data Catalog (lab_localstack.glue), data from
LocalStack's S3, both through their APIs; SQL is Athena's (Trino) dialect, translated
by sqlglot and run by DuckDB.

Where things are:
  plugin.py        entry point
  provider.py      query executions API (Start/Get/BatchGet/List/Stop, GetQueryResults)
  models.py        the stores (AthenaStore per account and region, LocalStack's BaseStore)
  workgroups.py    work groups (`primary` always exists) and named queries
  tags.py          TagResource/UntagResource/ListTagsForResource (work groups, data catalogs)
  metadata_api.py  ListDataCatalogs/ListDatabases/ListTableMetadata/GetTableMetadata over Glue
  executions.py    the QUEUED -> RUNNING -> SUCCEEDED/FAILED/CANCELLED state machine, workers,
                   results written to OutputLocation as <id>.csv + <id>.csv.metadata
                   (+ <id>-manifest.csv, the data manifest, after CTAS/INSERT/UNLOAD)
  statements.py    statement types; SELECT / CTAS / INSERT / UNLOAD / views / DDL dispatch
  ctas.py          CREATE TABLE AS SELECT: WITH properties, data files, Glue table + partitions
  insert.py        INSERT INTO a Parquet/text/JSON table: new files (and partitions) in its location
  unload.py        UNLOAD (SELECT ...) TO 's3://...' WITH (...)
  output_files.py  a query's rows as (Hive-partitioned) data files under an S3 location
  file_formats.py  PARQUET / TEXTFILE / JSON / ORC: codecs and defaults, COPY options, SerDes
  views.py         CREATE [OR REPLACE] VIEW, DROP VIEW, SHOW VIEWS, SHOW CREATE VIEW
  view_codec.py    a view as Glue stores Athena's (VIRTUAL_VIEW, `/* Presto View: <base64> */`)
  alter_table.py   ALTER TABLE SET TBLPROPERTIES / SET LOCATION / ADD, REPLACE COLUMNS
  engine.py        SELECT: sqlglot parse, catalog tables as DuckDB views, Athena-like failures
  table_sources.py a Glue table as a DuckDB view (OpenX JSON, Parquet, RegexSerDe, delimited)
  hive_ddl.py      CREATE EXTERNAL TABLE / ALTER TABLE ... PARTITION -> Glue inputs
  ddl.py           DDL and utility statements (MSCK REPAIR, SHOW, DESCRIBE, DROP) on the catalog
  s3_objects.py    listing a location like Hive; local copies of objects cached by ETag
  results.py       values as Trino prints them, ColumnInfo, pages, the CSV file
  types.py         Glue/Hive <-> DuckDB <-> Athena type names
  validation.py    request rules (errors and pages: lab_localstack/aws_api.py)
  errors.py        query failure reasons (Athena's error catalog codes)
  history.py       finished executions kept across restarts; results read back from S3
  projection.py    partition projection (date, integer, enum, injected)
  grok.py          Glue's Grok SerDe patterns as RE2
  trino_functions.py  Trino functions DuckDB lacks (url_extract_*), as macros
  trino_engine.py  a work group's engine (tag lab:engine); statements run on Trino (LAB_TRINO_URL)
  trino_writes.py  Athena's CTAS properties in Trino's terms; a Trino-made view's columns in Glue

Choices where AWS leaves room (or the lab simplifies):
- Finished executions are kept in LOCALSTACK_VOLUME_DIR/lab-athena/executions.jsonl (history.py);
  their rows are read back from the OutputLocation after a restart. Two worker threads run queries.
- `<id>.csv.metadata` holds the ColumnInfo as JSON (Athena's own is an undocumented binary).
- A table over an empty prefix returns no rows (SUCCEEDED), as Athena does; a missing
  bucket fails.
- CTAS writes PARQUET, TEXTFILE and JSON tables, UNLOAD also ORC (the lab reads no ORC tables);
  AVRO, and bucketed_by/bucket_count, fail NOT_SUPPORTED. One file per partition. Codecs default
  as AWS documents for Hive tables: GZIP for Parquet and text (and JSON), ZLIB for ORC; text and
  JSON take GZIP, ZSTD or NONE (files named .gz/.zst). TEXTFILE is LazySimpleSerDe's: fields
  joined by field_delimiter (default `\\001`), NULL as `\\N`, no escaping. A CTAS or UNLOAD into a
  prefix that holds objects fails HIVE_PATH_ALREADY_EXISTS (a partitioned UNLOAD may write into
  a non-empty prefix, as on Athena).
- INSERT INTO writes Parquet, LazySimpleSerDe text and JSON tables (others fail NOT_SUPPORTED);
  its type check accepts identical types and number-to-number coercions (Trino's rules are finer).
- Views are expanded on the engine at query time; a view whose tables are gone fails
  INVALID_VIEW. SHOW CREATE VIEW prints the stored SQL as written (Trino reformats it).
- ALTER TABLE RENAME TO fails NOT_SUPPORTED, as Athena refuses it for Hive tables.
- `timestamp with time zone` values are shown in UTC (`... UTC`); Athena keeps the zone of
  the input (`... +01:00`): the same instants, another display. date_trunc on them works
  in UTC, which differs from Athena only for zones with a non-whole-hour offset.
- approx_distinct is computed exactly (within Athena's 2.3 % standard error).
- RegexSerDe patterns run on RE2 (no look-around): such a table fails NOT_SUPPORTED.
- On a work group tagged lab:engine=trino, SELECT, CTAS, INSERT and views run on Trino
  (trino_engine.py), so the DuckDB engine's limits above (bucketing, AVRO, INSERT's coercions)
  do not apply there; Athena's CTAS properties are translated for Trino (trino_writes.py).
"""
