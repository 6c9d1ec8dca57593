"""Glue's input rules: names (1-255 single-line characters, stored lower case),
required members, partition values against the table's partition keys, page sizes."""
from __future__ import annotations

import re

from lab_localstack import paging
from lab_localstack.glue import errors

# Glue's NameString: 1-255 characters of the "single-line string pattern".
_SINGLE_LINE = re.compile(r"^[\u0020-\uD7FF\uE000-\uFFFD\U00010000-\U0010FFFF\t]*$")
MAX_BATCH_CREATE_PARTITIONS = 100
MAX_BATCH_GET_PARTITIONS = 1000
MAX_BATCH_DELETE_PARTITIONS = 25


def require(value: object, member: str) -> None:
    if value is None or value == "":
        raise errors.invalid_input(f"1 validation error detected: Value null at '{member}' failed to satisfy "
                                   "constraint: Member must not be null")


def name(value: str | None, member: str) -> str:
    """A database, table or crawler name, as Glue stores it (lower case)."""
    require(value, member)
    if len(value) > 255 or not _SINGLE_LINE.match(value):
        raise errors.invalid_input(
            f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: [\\u0020-\\uD7FF\\uE000-\\uFFFD\\uD800\\uDC00-"
            "\\uDBFF\\uDFFF\\t]* and length between 1 and 255")
    return value.lower()


def partition_values(values: list[str] | None, partition_keys: list[dict]) -> tuple[str, ...]:
    if values is None:
        raise errors.invalid_input("Partition values cannot be null")
    if len(values) != len(partition_keys):
        raise errors.invalid_input("The number of partition keys do not match the number of partition values")
    return tuple(values)


def columns(cols: list[dict] | None, member: str) -> None:
    for i, col in enumerate(cols or []):
        name(col.get("Name"), f"{member}.{i + 1}.member.name")


def max_results(value: int | None, default: int = 100, upper: int = 1000) -> int:
    if value is None:
        return default
    if value < 1 or value > upper:
        raise errors.invalid_input(f"1 validation error detected: Value '{value}' at 'maxResults' failed to "
                                   f"satisfy constraint: Member must have value between 1 and {upper}")
    return value


def paginate(items: list, request: dict, default: int = 100, upper: int = 1000) -> tuple[list, str | None]:
    """(page, NextToken) for a request's MaxResults and NextToken."""
    size = max_results(request.get("MaxResults"), default, upper)
    return paging.window(items, request.get("NextToken"), size,
                         lambda: errors.invalid_input("Invalid continuation token"))
