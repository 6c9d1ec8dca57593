"""S3 object keys as Firehose names them (UTC).

`<prefix>YYYY/MM/DD/HH/<stream>-<version>-YYYY-MM-DD-HH-MM-SS-<uuid>[.gz]`

A prefix may use AWS's expressions: `!{timestamp:<Java date pattern>}`,
`!{firehose:random-string}`, `!{firehose:error-output-type}` and, with dynamic
partitioning, `!{partitionKeyFromQuery:<key>}` / `!{partitionKeyFromLambda:<key>}`.
A prefix with no timestamp expression gets `YYYY/MM/DD/HH/` appended, as AWS does
(not a dynamically partitioned one: its keys are the folders). The time used is the
arrival time of the oldest record in the object.
"""
from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime

_EXPRESSION = re.compile(r"!\{([a-zA-Z]+):([^}]*)\}")
PARTITION_NAMESPACES = ("partitionKeyFromQuery", "partitionKeyFromLambda")
# Java DateTimeFormatter letters the lab supports -> strftime.
_JAVA_TO_STRFTIME = [("yyyy", "%Y"), ("MM", "%m"), ("dd", "%d"), ("HH", "%H"), ("mm", "%M"), ("ss", "%S")]

EXTENSIONS = {"GZIP": ".gz", "ZIP": ".zip", "UNCOMPRESSED": ""}


def _java_pattern(pattern: str, when: datetime) -> str:
    for java, strf in _JAVA_TO_STRFTIME:
        pattern = pattern.replace(java, strf)
    return when.strftime(pattern)


def partition_expressions(prefix: str) -> list[tuple[str, str]]:
    """(namespace, key) of each partitionKeyFrom* expression in a prefix."""
    return [(m.group(1), m.group(2)) for m in _EXPRESSION.finditer(prefix)
            if m.group(1) in PARTITION_NAMESPACES]


def expand_prefix(prefix: str, when: datetime, error_output_type: str = "", partition_keys=None) -> str:
    """Evaluate a prefix's expressions and add the default time folders if it has none.

    `partition_keys` (partitioning.PartitionKeys) resolves partitionKeyFrom* expressions;
    a key it lacks raises partitioning.PartitionKeyError."""
    has_timestamp = "!{timestamp:" in prefix or partition_keys is not None

    def evaluate(match: re.Match) -> str:
        namespace, argument = match.group(1), match.group(2)
        if namespace == "timestamp":
            return _java_pattern(argument, when)
        if namespace in PARTITION_NAMESPACES and partition_keys is not None:
            return partition_keys.lookup(namespace, argument)
        if argument == "random-string":
            return uuid.uuid4().hex[:11]
        if argument == "error-output-type":
            return error_output_type
        return match.group(0)

    expanded = _EXPRESSION.sub(evaluate, prefix)
    if not has_timestamp:
        expanded += when.strftime("%Y/%m/%d/%H/")
    return expanded


def object_name(stream_name: str, version_id: str, when: datetime) -> str:
    return f"{stream_name}-{version_id}-{when.strftime('%Y-%m-%d-%H-%M-%S')}-{uuid.uuid4()}"


def object_key(
    prefix: str,
    stream_name: str,
    version_id: str,
    arrival_ms: int,
    compression: str = "UNCOMPRESSED",
    file_extension: str = "",
    error_output_type: str = "",
    partition_keys=None,
) -> str:
    when = datetime.fromtimestamp(arrival_ms / 1000, tz=UTC)
    extension = file_extension or EXTENSIONS.get(compression, "")
    return (expand_prefix(prefix, when, error_output_type, partition_keys)
            + object_name(stream_name, version_id, when) + extension)
