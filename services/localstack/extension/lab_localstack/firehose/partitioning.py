"""Dynamic partitioning as Firehose does it: the processors' view of a record, pure logic.

Order (AWS's developer guide, "Apply dynamic partitioning to aggregated data"):
RecordDeAggregation -> Lambda transformation -> partition keys -> prefix per partition.

- RecordDeAggregation splits one record into sub-records: `JSON` (consecutive JSON
  objects, on one line or newline-separated) or `DELIMITED` (a base64 `Delimiter`).
  At most 500 sub-records per record: a record holding more is passed whole.
- MetadataExtraction runs a jq query (`MetadataExtractionQuery`, engine `JQ-1.6`) that
  builds an object of partition keys, e.g. `{customer_id: .customer_id}`.
- A Lambda processor returns keys in each record's `metadata.partitionKeys`.
- AppendDelimiterToRecord appends a delimiter (base64 `Delimiter`, default newline)
  to each record before it is written.
Records whose keys cannot be extracted (not JSON, a key the prefix uses is missing,
null or empty) go to the error output as `DynamicPartitioning.MetadataExtractionFailed`.
"""
from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass

from lab_localstack.firehose.json_records import consecutive_documents

MAX_SUB_RECORDS = 500
DEFAULT_ACTIVE_PARTITIONS = 500
JSON_PARSING_ENGINE = "JQ-1.6"
METADATA_EXTRACTION_FAILED = "DynamicPartitioning.MetadataExtractionFailed"
ACTIVE_PARTITIONS_EXCEEDED = "DynamicPartitioning.ActivePartitionsLimitExceeded"
# error-output-type values of these failures (the !{firehose:error-output-type} expression).
METADATA_EXTRACTION_FOLDER = "metadata-extraction-failed"
ACTIVE_PARTITIONS_FOLDER = "activePartitionExceeded"


class PartitionKeyError(Exception):
    """A record's partition keys could not be extracted; the message is AWS's errorMessage."""


@dataclass(frozen=True)
class ProcessorParams:
    """The non-Lambda processors of a ProcessingConfiguration (at most one of each type)."""

    metadata_query: str | None = None
    deaggregation: str | None = None          # "JSON" | "DELIMITED"
    deaggregation_delimiter: bytes = b""
    append_delimiter: bytes | None = None


def _params(processor: dict) -> dict[str, str]:
    return {p["ParameterName"]: p["ParameterValue"] for p in processor.get("Parameters") or []}


def decode_delimiter(value: str, field: str) -> bytes:
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(f"{field} must be base64 encoded, got {value!r}") from None


def processor_params(processing: dict | None) -> ProcessorParams:
    """Read the MetadataExtraction, RecordDeAggregation and AppendDelimiterToRecord processors."""
    if not processing or not processing.get("Enabled"):
        return ProcessorParams()
    query = deaggregation = append = None
    delimiter = b""
    for processor in processing.get("Processors") or []:
        params = _params(processor)
        kind = processor.get("Type")
        if kind == "MetadataExtraction":
            query = params.get("MetadataExtractionQuery")
        elif kind == "RecordDeAggregation":
            deaggregation = params.get("SubRecordType", "JSON").upper()
            if "Delimiter" in params:
                delimiter = decode_delimiter(params["Delimiter"], "Delimiter")
        elif kind == "AppendDelimiterToRecord":
            append = decode_delimiter(params["Delimiter"], "Delimiter") if "Delimiter" in params else b"\n"
    return ProcessorParams(query, deaggregation, delimiter, append)


# --- de-aggregation -----------------------------------------------------------------
def deaggregate(data: bytes, sub_record_type: str | None, delimiter: bytes = b"") -> list[bytes]:
    """Sub-records of one record; the record itself when it cannot be split (or holds > 500)."""
    if not sub_record_type:
        return [data]
    if sub_record_type == "JSON":
        try:
            documents = consecutive_documents(data)
            parts = [raw for _, raw in documents] if all(isinstance(d, dict) for d, _ in documents) else None
        except (UnicodeDecodeError, ValueError):
            parts = None
    else:
        parts = [p for p in data.split(delimiter) if p] if delimiter else None
    if not parts or len(parts) > MAX_SUB_RECORDS:
        return [data]
    return parts


# --- partition keys -----------------------------------------------------------------
# Builtins jq 1.7 added: the binding runs jq 1.7.1, AWS runs jq 1.6, so a query using them
# is refused rather than accepted by the lab and rejected by AWS.
_JQ17_ONLY = re.compile(r"(?<![\w$@.])(pick|abs|toarray|have_decnum|have_literal_numbers|significand|"
                        r"trim|ltrim|rtrim|\$__loc__)(?!\w)|(@base32d)|(?<![\w$@.])(debug)\(|(?<![\w$@.])(scan)\([^()]*;")
_JQ_STRING = re.compile(r'"(?:\\.|[^"\\])*"')


def compile_query(query: str):
    """A compiled jq program (PyPI `jq`); raises ValueError on a syntax error or a jq 1.7 builtin."""
    import jq

    newer = _JQ17_ONLY.search(_JQ_STRING.sub('""', query))
    if newer:
        name = next(g for g in newer.groups() if g)
        raise ValueError(f"{name} is not available in jq 1.6")
    return jq.compile(query)


def keys_from_query(program, data: bytes) -> dict[str, str]:
    """Run the MetadataExtraction query on a record; the partition keys as strings."""
    try:
        document = json.loads(data)
    except (UnicodeDecodeError, ValueError):
        raise PartitionKeyError("Non JSON record provided") from None
    try:
        result = program.input_value(document).first()
    except (ValueError, StopIteration) as error:
        raise PartitionKeyError(f"The jq query failed on the record: {error}") from None
    if not isinstance(result, dict):
        raise PartitionKeyError("The metadata extraction query must produce a JSON object of partition keys")
    return {str(key): value for key, value in result.items()}


def keys_from_lambda(metadata: object) -> dict[str, object]:
    """partitionKeys from a Lambda response record's `metadata` (may be absent)."""
    if not isinstance(metadata, dict):
        return {}
    keys = metadata.get("partitionKeys")
    return dict(keys) if isinstance(keys, dict) else {}


def key_text(value: object) -> str:
    """A partition key value as it appears in the prefix; null or empty is a failure."""
    if value is None or value == "" or isinstance(value, (dict, list)):
        raise PartitionKeyError("partitionKeys values must not be null or empty")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@dataclass(frozen=True)
class PartitionKeys:
    """The keys of one record, by namespace (partitionKeyFromQuery / partitionKeyFromLambda)."""

    from_query: tuple[tuple[str, str], ...] = ()
    from_lambda: tuple[tuple[str, str], ...] = ()

    def lookup(self, namespace: str, name: str) -> str:
        values = dict(self.from_query if namespace == "partitionKeyFromQuery" else self.from_lambda)
        if name not in values:
            raise PartitionKeyError(f"{namespace}:{name} is not among the record's partition keys")
        return values[name]


def record_keys(query_keys: dict, lambda_keys: dict) -> PartitionKeys:
    """Validated, stringified keys; every value must be non-null and non-empty."""
    return PartitionKeys(
        tuple(sorted((k, key_text(v)) for k, v in query_keys.items())),
        tuple(sorted((k, key_text(v)) for k, v in lambda_keys.items())),
    )
