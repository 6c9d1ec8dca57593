"""The common frame of the lab's CloudFormation resource providers.

Each resource type (one module each) subclasses `LabResourceProvider` and writes
`_create`, `_read`, `_update` and `_delete` against the lab's service, called through
LocalStack's internal clients (`request.aws_client_factory`), so the calls reach the
lab's providers exactly as a user's boto3 call would. This frame turns what the
service refuses into a FAILED progress event whose reason carries the service's own
message, in the shape AWS's resource handlers report it:

    Resource handler returned message: "Database nope not found. (Service: Glue,
    Status Code: 400, Request ID: ...)" (RequestToken: ..., HandlerErrorCode: NotFound)

and treats a resource that is already gone as deleted (as CloudFormation does when
it deletes or rolls back).
"""
from __future__ import annotations

import logging
import uuid

from botocore.exceptions import ClientError
from localstack.services.cloudformation.resource_provider import (
    OperationStatus,
    ProgressEvent,
    ResourceProvider,
    ResourceRequest,
)

from lab_localstack.aws_api import NOT_FOUND_CODES

LOG = logging.getLogger(__name__)

# Service error codes -> CloudFormation handler error codes (the resource-provider contract's names).
HANDLER_ERROR_CODES = {
    **dict.fromkeys(NOT_FOUND_CODES, "NotFound"),
    "AlreadyExistsException": "AlreadyExists",
    "ResourceInUseException": "ResourceConflict",
    "CrawlerRunningException": "ResourceConflict",
    "InvalidInputException": "InvalidRequest",
    "InvalidRequestException": "InvalidRequest",
    "InvalidArgumentException": "InvalidRequest",
    "ValidationException": "InvalidRequest",
}
NOT_FOUND_MESSAGES = ("not found", "does not exist")


def schema(type_name: str, primary: list[str], create_only: list[str] = (),
           read_only: list[str] = ()) -> dict:
    """The parts of a resource type's schema LocalStack's engine reads: the primary
    identifier (which becomes the physical id, and so what `Ref` returns) and the
    create-only properties (a change to one replaces the resource)."""
    return {"typeName": type_name,
            "primaryIdentifier": [f"/properties/{p}" for p in primary],
            "createOnlyProperties": [f"/properties/{p}" for p in create_only],
            "readOnlyProperties": [f"/properties/{p}" for p in read_only]}


def default_name(request: ResourceRequest, lower: bool = False, limit: int = 128) -> str:
    """CloudFormation's generated name for an unnamed resource: stack-Logical-random."""
    name = f"{request.stack_name}-{request.logical_resource_id}-{uuid.uuid4().hex[:12].upper()}"[-limit:]
    return name.lower() if lower else name


def is_not_found(error: ClientError) -> bool:
    err = error.response.get("Error", {})
    if err.get("Code", "") in NOT_FOUND_CODES:
        return True
    return any(m in (err.get("Message") or "").lower() for m in NOT_FOUND_MESSAGES)


def failure_reason(error: ClientError, service: str, request: ResourceRequest) -> str:
    err = error.response.get("Error", {})
    meta = error.response.get("ResponseMetadata", {})
    code = HANDLER_ERROR_CODES.get(err.get("Code", ""), "GeneralServiceException")
    return (f'Resource handler returned message: "{err.get("Message") or err.get("Code")} '
            f'(Service: {service}, Status Code: {meta.get("HTTPStatusCode", 400)}, '
            f'Request ID: {meta.get("RequestId", "")})" '
            f'(RequestToken: {request.request_token}, HandlerErrorCode: {code})')


class LabResourceProvider(ResourceProvider[dict]):
    """create/read/update/delete around the subclass's `_create`, `_read`, `_update`, `_delete`,
    each of which returns the resource model (`_delete` returns nothing)."""

    SERVICE = ""   # the service's name in failure reasons, e.g. "Glue"

    def _create(self, request: ResourceRequest) -> dict:
        raise NotImplementedError

    def _read(self, request: ResourceRequest) -> dict:
        raise NotImplementedError

    def _update(self, request: ResourceRequest) -> dict:
        raise NotImplementedError

    def _delete(self, request: ResourceRequest) -> None:
        raise NotImplementedError

    def _run(self, request: ResourceRequest, step) -> ProgressEvent:
        try:
            model = step(request)
        except ClientError as error:
            reason = failure_reason(error, self.SERVICE, request)
            LOG.info("%s %s (%s): %s", request.action, request.logical_resource_id, request.resource_type, reason)
            return ProgressEvent(status=OperationStatus.FAILED, resource_model={}, message=reason,
                                 error_code=HANDLER_ERROR_CODES.get(error.response["Error"].get("Code", "")))
        return ProgressEvent(status=OperationStatus.SUCCESS, resource_model=model)

    def create(self, request: ResourceRequest) -> ProgressEvent:
        return self._run(request, self._create)

    def read(self, request: ResourceRequest) -> ProgressEvent:
        return self._run(request, self._read)

    def update(self, request: ResourceRequest) -> ProgressEvent:
        return self._run(request, self._update)

    def delete(self, request: ResourceRequest) -> ProgressEvent:
        def delete_if_there(req: ResourceRequest) -> dict:
            try:
                self._delete(req)
            except ClientError as error:
                if not is_not_found(error):
                    raise
                LOG.info("%s %s: already gone", req.resource_type, req.logical_resource_id)
            return {}

        return self._run(request, delete_if_there)
