"""Glue's error codes, raised as AWS returns them (HTTP 400, the code in `__type`)."""
from __future__ import annotations

from localstack.aws.api import CommonServiceException


def _error(code: str, message: str) -> CommonServiceException:
    return CommonServiceException(code, message, status_code=400, sender_fault=True)


def entity_not_found(message: str) -> CommonServiceException:
    return _error("EntityNotFoundException", message)


def already_exists(message: str) -> CommonServiceException:
    return _error("AlreadyExistsException", message)


def invalid_input(message: str) -> CommonServiceException:
    return _error("InvalidInputException", message)


def limit_exceeded(message: str) -> CommonServiceException:
    return _error("ResourceNumberLimitExceededException", message)


def crawler_running(message: str) -> CommonServiceException:
    return _error("CrawlerRunningException", message)


def crawler_not_running(message: str) -> CommonServiceException:
    return _error("CrawlerNotRunningException", message)


def crawler_stopping(message: str) -> CommonServiceException:
    return _error("CrawlerStoppingException", message)


def no_such_database(name: str) -> CommonServiceException:
    return entity_not_found(f"Database {name} not found.")


def no_such_table(name: str) -> CommonServiceException:
    return entity_not_found(f"Table {name} not found.")
