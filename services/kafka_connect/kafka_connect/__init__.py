"""The lab's two Kafka connectors, read from Confluent's JSON connector configs: the Amazon
CloudWatch Logs Source (cloudwatch_source) and the Amazon S3 Sink (s3_sink).
Run: `python -m kafka_connect --config <json> --bootstrap <host:port> --aws-endpoint <URL>
--state-dir <dir> --stats-file <json>` (README.md beside this package)."""
