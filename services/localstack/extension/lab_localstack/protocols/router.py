"""A gateway handler that hands a request in a service's newer protocol to the newer model.

It runs in LocalStack's `preprocess_request` handlers, before LocalStack's own service detection
(`ServiceNameParser`). For a request signed for a service with a newer model (the SigV4 credential
scope names the service) whose protocol only the newer model speaks, it sets the request
context's service model and protocol; LocalStack's `ServiceNameParser` then keeps them, and its
model-driven parser (`create_parser`), the provider's skeleton and its serializer
(`create_serializer`) all work from that model: the operation is found by method and path for
`rest-json`, its members are read from the path, query string, headers and body, and the answer
is written in the same protocol. Every other request is left untouched, so LocalStack's own model
keeps answering the old protocol (e.g. Athena's `json`: `X-Amz-Target: AmazonAthena.<Operation>`).
"""
from __future__ import annotations

import logging
from collections.abc import Iterable

from localstack.aws.api import RequestContext
from localstack.aws.chain import HandlerChain
from localstack.aws.protocol.service_router import match_available_protocols
from localstack.http import Request, Response

from lab_localstack.protocols.newer_models import NewerModel

LOG = logging.getLogger(__name__)


def signing_name(request: Request) -> str | None:
    """The service named by the request's SigV4 credential scope
    (`Credential=<key>/<date>/<region>/<service>/aws4_request`, in the Authorization header or a
    presigned URL's `X-Amz-Credential`), or None."""
    credential = request.args.get("X-Amz-Credential")
    authorization = request.headers.get("Authorization", "")
    if not credential and authorization.startswith("AWS4-"):
        for part in authorization.split(None, 1)[-1].split(","):
            key, _, value = part.strip().partition("=")
            if key == "Credential":
                credential = value
    scope = (credential or "").split("/")
    return scope[3] if len(scope) == 5 else None


class NewerProtocolRouter:
    """Sets the newer model on requests in a protocol only that model speaks."""

    def __init__(self, models: Iterable[NewerModel]) -> None:
        self._by_signing_name: dict[str, NewerModel] = {}
        for newer in models:
            if newer.routes_nothing:
                continue
            other = self._by_signing_name.setdefault(newer.signing_name, newer)
            if other is not newer:
                raise ValueError(f"newer models of {other.service} and {newer.service} share the "
                                 f"signing name {newer.signing_name}: requests cannot be told apart")

    @property
    def services(self) -> list[str]:
        return sorted(newer.service for newer in self._by_signing_name.values())

    def model_for(self, request: Request) -> tuple[NewerModel, str] | None:
        """(the newer model, the request's protocol) when the request is in a protocol only the
        newer model speaks, else None."""
        newer = self._by_signing_name.get(signing_name(request) or "")
        if newer is None:
            return None
        protocol = match_available_protocols(
            request, [*newer.localstack_protocols, *newer.added_protocols])
        return (newer, protocol) if protocol in newer.added_protocols else None

    def __call__(self, chain: HandlerChain, context: RequestContext, response: Response) -> None:
        if context.service is not None:
            return
        found = self.model_for(context.request)
        if found is None:
            return
        newer, protocol = found
        context.service = newer.model
        context.protocol = protocol
        LOG.debug("%s %s: %s in %s (newer model)", context.request.method, context.request.path,
                  newer.service, protocol)
