"""The lab's faithful Kinesis Data Firehose provider for LocalStack 4.14.0."""
