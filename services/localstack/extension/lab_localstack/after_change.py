"""Dispatch-table wrapping: a callback after each operation that changes a service's state.

The lab keeps LocalStack's in-memory state on disk (S3, Lambda, Kinesis Analytics) by
letting an operation's handler run unchanged and then calling the service's save before
the response is serialized and sent: what the client is told was done is on disk. Only
successful operations are followed by the callback (a handler that raises changed nothing
a client was told about).
"""
from __future__ import annotations

from collections.abc import Callable

from localstack.aws.api import RequestContext
from localstack.aws.skeleton import DispatchTable


class AfterChange:
    """One operation's handler, then `callback(operation, request)`."""

    def __init__(self, handler, operation: str, callback: Callable[[str, dict], None]):
        self.handler, self.operation, self.callback = handler, operation, callback

    def __call__(self, context: RequestContext, request: dict):
        result = self.handler(context, request)
        self.callback(self.operation, request)
        return result


def after_changes(table: DispatchTable, changes: Callable[[str], bool],
                  callback: Callable[[str, dict], None]) -> DispatchTable:
    """Wrap every operation of `table` for which `changes(operation)` holds."""
    for operation, handler in list(table.items()):
        if changes(operation):
            table[operation] = AfterChange(handler, operation, callback)
    return table
