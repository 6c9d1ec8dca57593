"""Glue's input rules: names (1-255 single-line characters, stored lower case),
required members, partition values against the table's partition keys; Glue's
"not found" messages for databases and tables. Errors and pages: lab_localstack.aws_api."""
from __future__ import annotations

import re

from localstack.aws.api import CommonServiceException

from lab_localstack.aws_api import GLUE

# Glue's NameString: 1-255 characters of the "single-line string pattern".
_SINGLE_LINE = re.compile(r"^[\u0020-\uD7FF\uE000-\uFFFD\U00010000-\U0010FFFF\t]*$")


def require(value: object, member: str) -> None:
    GLUE.require(value, member)


def name(value: str | None, member: str) -> str:
    """A database, table or crawler name, as Glue stores it (lower case)."""
    require(value, member)
    if len(value) > 255 or not _SINGLE_LINE.match(value):
        raise GLUE.validation_error(
            f"Value '{value}' at '{member}' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: [\\u0020-\\uD7FF\\uE000-\\uFFFD\\uD800\\uDC00-"
            "\\uDBFF\\uDFFF\\t]* and length between 1 and 255")
    return value.lower()


def partition_values(values: list[str] | None, partition_keys: list[dict]) -> tuple[str, ...]:
    if values is None:
        raise GLUE.invalid("Partition values cannot be null")
    if len(values) != len(partition_keys):
        raise GLUE.invalid("The number of partition keys do not match the number of partition values")
    return tuple(values)


def columns(cols: list[dict] | None, member: str) -> None:
    for i, col in enumerate(cols or []):
        name(col.get("Name"), f"{member}.{i + 1}.member.name")


def database_not_found(name: str | None) -> CommonServiceException:
    return GLUE.not_found(f"Database {name} not found.")


def table_not_found(name: str | None) -> CommonServiceException:
    return GLUE.not_found(f"Table {name} not found.")
