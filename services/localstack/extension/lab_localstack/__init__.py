"""Clickstream Lab's LocalStack extension (Firehose provider, host Lambda executor)."""
