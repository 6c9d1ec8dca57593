"""The lab's `apache_ETL` Lambda: Firehose record transformation of Apache access-log lines.

Entry point: `etl.handler.lambda_handler`. The runtime modules use only the standard
library, so the deployed zip (built by `python -m etl.package`) runs anywhere.
See etl/README.md for the output fields and the configuration.
"""
