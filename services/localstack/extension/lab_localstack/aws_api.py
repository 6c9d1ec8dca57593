"""AWS's API conventions, as every provider of the extension answers them: errors, validation
errors, finding a resource or answering its service's "not found", and pages (MaxResults and
NextToken, or Limit and ExclusiveStart...Name), batch lookups.

Where AWS's services differ, the difference is stated here once, in `ServiceRules` and the
instances below, each with its source:

- The error of a malformed member ("1 validation error detected: ..."): Glue answers
  InvalidInputException, Athena InvalidRequestException, Firehose and Kinesis Analytics
  ValidationException (the "Errors" section of each operation in the services' API references).
- An unknown resource: Glue EntityNotFoundException; Athena InvalidRequestException for work
  groups, named queries and query executions (e.g. GetQueryExecution's "Errors": there is no
  not-found error) but ResourceNotFoundException for a tagged ARN; Firehose, Kinesis Analytics and
  Kinesis ResourceNotFoundException.
- A page size outside the operation's range: the range is the API reference's "Valid Range" of the
  operation's MaxResults (or Limit), read from botocore's copy of the service model (the same
  document: e.g. Glue GetTables 1-100, GetPartitions 1-1000; Athena ListWorkGroups 1-50,
  ListQueryExecutions and ListNamedQueries 0-50, GetQueryResults 1-1000, ListTagsForResource at
  least 75; Kinesis Analytics ListApplications 1-50; Firehose ListDeliveryStreams 1-10000).
  A value outside it is the service's validation error, so MaxResults=0 is refused by Glue and
  accepted by Athena's ListQueryExecutions, where 0 (like an absent MaxResults) gets the
  operation's default page (the reference does not say what 0 asks for; the lab reads it as unset).
- A list member's length (Glue's BatchDeletePartition at most 25 partitions, Athena's
  BatchGetQueryExecution 1-50 ids): the model's range again, the service's validation error.
- A NextToken the service did not issue: Glue "Invalid continuation token", Athena "Invalid
  token", each as the service's validation error code.

Everywhere: every error is a client error (HTTP 400, sender fault), and a response carries a
NextToken only when there is a next page (AWS's paginators stop on its absence).
"""
from __future__ import annotations

import base64
import functools
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from localstack.aws.api import CommonServiceException
from localstack.aws.spec import load_service

T = TypeVar("T")
VALIDATION_PREFIX = "1 validation error detected: "


def client_error(code: str, message: str) -> CommonServiceException:
    """An error AWS answers with HTTP 400 and the code in `__type` (the caller's fault)."""
    return CommonServiceException(code, message, status_code=400, sender_fault=True)


def find(items: Mapping[Hashable, T], key: Hashable, missing: Callable[[], Exception]) -> T:
    """The item under `key`, or raise what `missing()` builds (the service's "not found")."""
    found = items.get(key)
    if found is None:
        raise missing()
    return found


def batch_get(ids: list[str], lookup: Callable[[str], T | None],
              unprocessed: Callable[[str], dict]) -> tuple[list[T], list[dict]]:
    """(what was found, an entry for each id that was not) of a BatchGet... call."""
    found, missing = [], []
    for item_id in ids:
        item = lookup(item_id)
        if item is None:
            missing.append(unprocessed(item_id))
        else:
            found.append(item)
    return found, missing


def with_next_token(response: dict, token: str | None) -> dict:
    """The response, with NextToken only when there is one."""
    return {**response, "NextToken": token} if token else response


def _encode(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode()


def _decode(token: str) -> int | None:
    try:
        kind, _, offset = base64.urlsafe_b64decode(token.encode()).decode().partition(":")
        return int(offset) if kind == "offset" else None
    except (ValueError, UnicodeDecodeError):
        return None


@functools.cache
def member_range(service: str, operation: str, member: str) -> tuple[int | None, int | None]:
    """The (min, max) of an operation's request member (a number's value, a list's length),
    from the service model."""
    shape = load_service(service).operation_model(operation).input_shape.members[member]
    return shape.metadata.get("min"), shape.metadata.get("max")


@dataclass(frozen=True)
class ServiceRules:
    """One service's answers to the conventions above."""

    service: str             # botocore's name for the service (its model gives the page ranges)
    validation_code: str     # the code of a malformed member
    not_found_code: str      # the code of an unknown resource
    invalid_token: str       # the message for a NextToken the service did not issue

    def error(self, code: str, message: str) -> CommonServiceException:
        return client_error(code, message)

    def invalid(self, message: str) -> CommonServiceException:
        """The service's validation error code with this message."""
        return client_error(self.validation_code, message)

    def validation_error(self, message: str) -> CommonServiceException:
        """"1 validation error detected: <message>" as the service's validation error."""
        return client_error(self.validation_code, VALIDATION_PREFIX + message)

    def not_found(self, message: str) -> CommonServiceException:
        return client_error(self.not_found_code, message)

    def require(self, value: object, member: str) -> None:
        """A required member is present (AWS's message names it in camelCase)."""
        if value is None or value == "":
            raise self.validation_error(f"Value null at '{member[0].lower()}{member[1:]}' failed to satisfy "
                                        "constraint: Member must not be null")

    def page_size(self, operation: str, value: int | None, default: int, member: str = "MaxResults") -> int:
        """The page size a request asks for, within the operation's range, or the default."""
        low, high = member_range(self.service, operation, member)
        name = member[0].lower() + member[1:]
        if value is not None and low is not None and value < low:
            raise self.validation_error(f"Value '{value}' at '{name}' failed to satisfy constraint: "
                                        f"Member must have value greater than or equal to {low}")
        if value is not None and high is not None and value > high:
            raise self.validation_error(f"Value '{value}' at '{name}' failed to satisfy constraint: "
                                        f"Member must have value less than or equal to {high}")
        return value or default

    def check_length(self, operation: str, member: str, items: list) -> list:
        """A list member within the operation's length range (e.g. Glue's BatchDeletePartition: 25)."""
        low, high = member_range(self.service, operation, member)
        name = member[0].lower() + member[1:]
        if low is not None and len(items) < low:
            raise self.validation_error(f"Value at '{name}' failed to satisfy constraint: "
                                        f"Member must have length greater than or equal to {low}")
        if high is not None and len(items) > high:
            raise self.validation_error(f"Value at '{name}' failed to satisfy constraint: "
                                        f"Member must have length less than or equal to {high}")
        return items

    def page(self, operation: str, items: list[T], request: dict, default: int) -> tuple[list[T], str | None]:
        """(this page's items, the NextToken or None) for the request's MaxResults and NextToken."""
        size = self.page_size(operation, request.get("MaxResults"), default)
        token = request.get("NextToken")
        start = _decode(token) if token else 0
        if start is None:
            raise self.invalid(self.invalid_token)
        end = start + size
        return items[start:end], (_encode(end) if end < len(items) else None)

    def paged(self, operation: str, key: str, items: list, request: dict, default: int,
              convert: Callable[[list], list] | None = None) -> dict:
        """The response {key: page, NextToken?} of a NextToken-paged operation."""
        page, token = self.page(operation, items, request, default)
        return with_next_token({key: convert(page) if convert else page}, token)

    def page_after(self, operation: str, items: list[T], after: str | None, limit: int | None, default: int,
                   name: Callable[[T], str] = str) -> tuple[list[T], bool]:
        """(this page, whether more follow) in the Limit + ExclusiveStart<Name> style: the items
        (sorted by name) after the named one."""
        size = self.page_size(operation, limit, default, member="Limit")
        rest = [item for item in items if name(item) > after] if after else items
        return rest[:size], len(rest) > size


GLUE = ServiceRules("glue", "InvalidInputException", "EntityNotFoundException", "Invalid continuation token")
ATHENA = ServiceRules("athena", "InvalidRequestException", "InvalidRequestException", "Invalid token")
FIREHOSE = ServiceRules("firehose", "ValidationException", "ResourceNotFoundException", "Invalid token")
KINESIS_ANALYTICS = ServiceRules("kinesisanalytics", "ValidationException", "ResourceNotFoundException",
                                 "Invalid token")
KINESIS = ServiceRules("kinesis", "ValidationException", "ResourceNotFoundException", "Invalid token")

# The codes by which the services say a resource does not exist (CloudFormation's handlers read
# them as NotFound); Athena's InvalidRequestException needs its message to tell.
NOT_FOUND_CODES = ("EntityNotFoundException", "ResourceNotFoundException")
