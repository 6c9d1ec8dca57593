"""Athena's request rules: required members, work group names, page sizes and tokens."""
from __future__ import annotations

import base64
import re

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
    size = request.get("MaxResults") or default
    if size < 1 or size > upper:
        raise errors.invalid_request(f"1 validation error detected: Value '{size}' at 'maxResults' failed to "
                                     f"satisfy constraint: Member must have value less than or equal to {upper}")
    start = decode_token(request.get("NextToken"))
    end = start + size
    return items[start:end], (encode_token(end) if end < len(items) else None)


def encode_token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode()


def decode_token(token: str | None) -> int:
    if not token:
        return 0
    try:
        kind, _, offset = base64.urlsafe_b64decode(token.encode()).decode().partition(":")
        if kind == "offset":
            return int(offset)
    except (ValueError, UnicodeDecodeError):
        pass
    raise errors.invalid_request("Invalid token")
