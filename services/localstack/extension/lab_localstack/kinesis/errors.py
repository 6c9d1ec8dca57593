"""AWS's Kinesis errors with AWS's messages (the API reference's "Errors" of each operation,
and the messages AWS answers, e.g. LocalStack's snapshot `cbor-error`: "Stream
wrong-stream-name under account 111111111111 not found.")."""
from __future__ import annotations

from localstack.aws.api.kinesis import (
    ExpiredIteratorException,
    InvalidArgumentException,
    LimitExceededException,
    ProvisionedThroughputExceededException,
    ResourceInUseException,
    ResourceNotFoundException,
    ValidationException,
)

__all__ = [
    "ExpiredIteratorException",
    "InvalidArgumentException",
    "LimitExceededException",
    "ProvisionedThroughputExceededException",
    "ResourceInUseException",
    "ResourceNotFoundException",
    "ValidationException",
    "consumer_not_found",
    "invalid",
    "shard_not_found",
    "stream_exists",
    "stream_not_active",
    "stream_not_found",
    "validation",
]


def stream_not_found(name: str, account: str) -> ResourceNotFoundException:
    return ResourceNotFoundException(f"Stream {name} under account {account} not found.")


def stream_exists(name: str, account: str) -> ResourceInUseException:
    return ResourceInUseException(f"Stream {name} under account {account} already exists.")


def stream_not_active(name: str, account: str, status: str) -> ResourceInUseException:
    return ResourceInUseException(f"Stream {name} under account {account} not ACTIVE, instead in state {status}")


def shard_not_found(shard: str, name: str, account: str) -> ResourceNotFoundException:
    return ResourceNotFoundException(f"Shard {shard} in stream {name} under account {account} does not exist")


def consumer_not_found(what: str) -> ResourceNotFoundException:
    return ResourceNotFoundException(f"Consumer {what} not found.")


def invalid(message: str) -> InvalidArgumentException:
    return InvalidArgumentException(message)


def validation(message: str) -> ValidationException:
    return ValidationException(f"1 validation error detected: {message}")
