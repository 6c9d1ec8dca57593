"""The lab's Kinesis Data Analytics for SQL (API v1) provider for LocalStack 4.14.0.

Selected with PROVIDER_OVERRIDE_KINESISANALYTICS=lab (entry point `kinesisanalytics:lab`);
LocalStack 4.14.0 community ships no kinesisanalytics provider nor API stubs, and moto only
has the v2 (Flink) API, so the operations are bound to botocore's model with @handler.

Where things are (read in this order):
  plugin.py          entry point
  provider.py        the API: create/describe/list/delete/update, inputs/outputs, start/stop, tags,
                     DiscoverInputSchema
  updates.py         UpdateApplication's input and output updates, validated before any change
  sampling.py        DiscoverInputSchema's samples (S3 in the caller's account and region, streams)
  validation.py      AWS's names, limits and configuration checks; code -> CodeValidationException
  models.py          the stores; an application, its descriptions, status values
  kda_sql.py         application code -> plan (streams, pumps, their kind: tumbling/sliding/row)
  kda_rewrite.py     the KDA-only syntax (SELECT STREAM, ROWTIME, FLOOR/STEP windows, RANGE ...
                     PRECEDING) rewritten to standard SQL for sqlglot
  sql_types.py       KDA SQL types: parsing, coercion (VARCHAR(n) truncates), DuckDB/Flink types
  record_mapping.py  JSON (JSONPath) / CSV records -> typed rows, errors for error_stream
  error_stream.py    the in-application error stream's columns and rows
  discovery.py       DiscoverInputSchema's inference
  runner.py          a running application: read, pre-process, map, tick the engine, deliver
  engine.py          the engine a runner drives (a Protocol) and the choice of engine per application
  connectors.py      Kinesis input, Lambda pre-processing, outputs (Kinesis, Firehose, Lambda)
  firehose_input.py  Firehose input: the records the lab's delivery stream accepts, offered to the
                     application in-process (firehose/record_consumers.py)
  duckdb_engine.py   the embedded engine (each closed tumbling window is one DuckDB query)
  flink_engine.py    the Flink engine (PyFlink in .venv-flink, Flink SQL translated by sqlglot)
  flink_job.py       the PyFlink job it runs (no LocalStack imports: runs in the Flink venv)
  persistence.py     applications saved to the volume, restored and started again at start-up

Choices where AWS leaves room (or the lab simplifies):
- ROWTIME is the time the application reads the record; a tumbling window's rows are emitted
  on the first tick (0.25 s) after the window's end and carry ROWTIME = window end.
- Values longer than a CHAR/VARCHAR column are truncated (SQLstream's ingestion rule, the
  engine KDA runs); uncoercible values and unparsable records go to error_stream.
- JSON output records are single objects without a separator; CSV rows end with a newline.
- Applications are kept across restarts (persistence.py); reference data sources and joins
  are refused with a message (CodeValidationException), not ignored.
- A Firehose input receives the records its delivery stream accepts after StartApplication
  (a delivery stream has no history: every starting position means NOW); it needs the lab's
  Firehose (PROVIDER_OVERRIDE_FIREHOSE=lab), else StartApplication says so.
  DiscoverInputSchema on a delivery stream samples what it accepts during the call (up to 5 s).
- Engine per application: tag `lab:engine` = duckdb | flink; default LAB_KDA_ENGINE (duckdb).
"""
