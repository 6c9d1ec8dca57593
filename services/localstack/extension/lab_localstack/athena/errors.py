"""The failures of an Athena query (QueryFailed: the reason Athena writes in StateChangeReason, e.g.
`TABLE_NOT_FOUND: line 1:15: Table 'awsdatacatalog.db.t' does not exist`). The API's
errors (InvalidRequestException, ...) are lab_localstack.aws_api's ATHENA."""
from __future__ import annotations

# AthenaError.ErrorCategory / ErrorType (Athena's error catalog)
CATEGORY_SYSTEM, CATEGORY_USER = 1, 2
TYPE_INTERNAL = 200
TYPE_USER = 1000
TYPE_DATA = 1001
TYPE_DDL = 1003
TYPE_RESULT_WRITE = 401


class QueryFailed(Exception):
    """A query ends FAILED with this reason."""

    def __init__(self, reason: str, error_type: int = TYPE_USER, category: int = CATEGORY_USER) -> None:
        super().__init__(reason)
        self.reason = reason
        self.error_type = error_type
        self.category = category


class QueryCancelled(Exception):
    """StopQueryExecution interrupted the query."""


def at(line: int, col: int) -> str:
    return f"line {line}:{col}: "


def table_not_found(catalog: str, database: str, table: str, line: int = 1, col: int = 1) -> QueryFailed:
    return QueryFailed(f"TABLE_NOT_FOUND: {at(line, col)}Table '{catalog}.{database}.{table}' does not exist")


def schema_not_found(catalog: str, database: str, line: int = 1, col: int = 1) -> QueryFailed:
    return QueryFailed(f"SCHEMA_NOT_FOUND: {at(line, col)}Schema '{database}' does not exist")


def column_not_found(column: str, line: int, col: int) -> QueryFailed:
    return QueryFailed(f"COLUMN_NOT_FOUND: {at(line, col)}Column '{column}' cannot be resolved or requester "
                       "is not authorized to access requested resources")
