"""Placeholder: the lab's Firehose provider (being written)."""
from localstack.services.firehose.provider import FirehoseProvider


class LabFirehoseProvider(FirehoseProvider):
    """Temporary: behaves as LocalStack's own provider until the lab's lands."""
