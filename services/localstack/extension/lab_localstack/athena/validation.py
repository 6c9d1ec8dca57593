"""Athena's request rules: required members, work group names, query strings.
Errors and pages: lab_localstack.aws_api."""
from __future__ import annotations

import re

from lab_localstack.aws_api import ATHENA

_WORK_GROUP = re.compile(r"^[a-zA-Z0-9._-]{1,128}$")
MAX_QUERY_LENGTH = 262144


def require(value: object, member: str) -> None:
    ATHENA.require(value, member)


def work_group_name(name: str | None) -> str:
    require(name, "Name")
    if not _WORK_GROUP.match(name):
        raise ATHENA.validation_error(f"Value '{name}' at 'name' failed to satisfy "
                                      "constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9._-]{1,128}")
    return name


def query_string(sql: str | None) -> str:
    require(sql, "QueryString")
    if len(sql) > MAX_QUERY_LENGTH:
        raise ATHENA.validation_error("Value at 'queryString' failed to satisfy "
                                      f"constraint: Member must have length less than or equal to {MAX_QUERY_LENGTH}")
    return sql
