"""Operations a lab provider does not implement answer as a client error naming the
operation, not as LocalStack's `501 InternalFailure`.

LocalStack routes a request by (service, operation) to the handlers of the provider's
dispatch table (`ServiceRequestRouter`); an operation missing from that table never
reaches the provider and gets `501 InternalFailure: no handler for operation ...`, and one
left as a stub of LocalStack's generated API class (`raise NotImplementedError`) gets a 501
too. AWS's clients (Terraform's provider, SDK retries) treat a 5xx as the service's fault
and retry it; a 400 with the service's own error code stops at once, with the operation's
name in the message.

`Service.for_provider` takes a `dispatch_table_factory`: the plugins pass
`unsupported_operations(code)`, which builds the provider's usual table
(`create_dispatch_table`) and adds, for every other operation of the service's botocore
model, a handler that raises the error. Nothing of LocalStack is patched. The operations of a
newer model the extension ships for the service (`lab_localstack.protocols`) count too, so an
operation only newer SDKs know answers the same 400.
"""
from __future__ import annotations

import logging
from collections.abc import Callable

from localstack.aws.api import RequestContext
from localstack.aws.skeleton import DispatchTable, ServiceRequestDispatcher, create_dispatch_table
from localstack.aws.spec import load_service

from lab_localstack.aws_api import client_error
from lab_localstack.protocols.newer_models import extra_operation_names

LOG = logging.getLogger(__name__)

STUB_MODULE_PREFIX = "localstack.aws.api."   # LocalStack's generated API classes (stubs only)


def message(service: str, operation: str) -> str:
    return f"The {service} operation {operation} is not supported by the lab"


class Unsupported:
    """The handler of one operation the lab does not implement."""

    def __init__(self, service: str, operation: str, code: str) -> None:
        self.service, self.operation, self.code = service, operation, code

    def __call__(self, context: RequestContext, request: dict) -> dict:
        LOG.info("%s.%s called: not supported by the lab", self.service, self.operation)
        raise client_error(self.code, message(self.service, self.operation))


def _defined_by_stub(provider: object, function_name: str) -> bool:
    """True when the provider's method for an operation is the generated API class's own
    (a `raise NotImplementedError` stub), not overridden by the lab."""
    for cls in type(provider).__mro__:
        if function_name in cls.__dict__:
            return cls.__module__.startswith(STUB_MODULE_PREFIX)
    return False


def dispatch_table(provider: object, code: str) -> DispatchTable:
    """The provider's handlers, and `code` (HTTP 400) for every other operation."""
    table = create_dispatch_table(provider)
    service = provider.service
    for operation in [*load_service(service).operation_names, *extra_operation_names(service)]:
        dispatcher = table.get(operation)
        if dispatcher is None or _defined_by_stub(provider, dispatcher.fn.__name__):
            table[operation] = ServiceRequestDispatcher(Unsupported(service, operation, code), operation,
                                                        pass_context=True, expand_parameters=False)
    return table


def unsupported_operations(code: str) -> Callable[[object], DispatchTable]:
    """A `dispatch_table_factory` for `Service.for_provider`."""
    return lambda provider: dispatch_table(provider, code)

