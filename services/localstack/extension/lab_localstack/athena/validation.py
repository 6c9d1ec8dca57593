"""Athena's request rules: required members, work group names, page sizes and tokens."""
from __future__ import annotations

import re

from lab_localstack import paging
from lab_localstack.athena import errors

_WORK_GROUP = re.compile(r"^[a-zA-Z0-9._-]{1,128}$")
MAX_QUERY_LENGTH = 262144


def require(value: object, member: str) -> None:
    if value is None or value == "":
        raise errors.invalid_request(f"1 validation error detected: Value null at '{member[0].lower()}"
                                     f"{member[1:]}' failed to satisfy constraint: Member must not be null")


def work_group_name(name: str | None) -> str:
    require(name, "Name")
    if not _WORK_GROUP.match(name):
        raise errors.invalid_request(f"1 validation error detected: Value '{name}' at 'name' failed to satisfy "
                                     "constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9._-]{1,128}")
    return name


def query_string(sql: str | None) -> str:
    require(sql, "QueryString")
    if len(sql) > MAX_QUERY_LENGTH:
        raise errors.invalid_request("1 validation error detected: Value at 'queryString' failed to satisfy "
                                     f"constraint: Member must have length less than or equal to {MAX_QUERY_LENGTH}")
    return sql


def paginate(items: list, request: dict, default: int, upper: int) -> tuple[list, str | None]:
    """(page, NextToken) for a request's MaxResults and NextToken."""
    size = request.get("MaxResults") or default
    if size < 1 or size > upper:
        raise errors.invalid_request(f"1 validation error detected: Value '{size}' at 'maxResults' failed to "
                                     f"satisfy constraint: Member must have value less than or equal to {upper}")
    return paging.window(items, request.get("NextToken"), size, lambda: errors.invalid_request("Invalid token"))
