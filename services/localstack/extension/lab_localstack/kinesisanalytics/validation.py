"""AWS's request validation for the Kinesis Analytics (v1, SQL) API.

Malformed members are a ValidationException ("1 validation error detected: ..."), inconsistent
configurations an InvalidArgumentException, application code the lab cannot run a
CodeValidationException naming the statement at fault.
"""
from __future__ import annotations

import re

from localstack.aws.api import CommonServiceException

from lab_localstack.aws_api import KINESIS_ANALYTICS as KDA
from lab_localstack.kinesisanalytics import kda_sql
from lab_localstack.kinesisanalytics.record_mapping import MappingError, json_path
from lab_localstack.kinesisanalytics.sql_types import parse_type

_NAME = re.compile(r"^[a-zA-Z0-9_.-]{1,128}$")
_ROLE = re.compile(r"^arn:aws:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+$")
MAX_OUTPUTS = 3
MAX_TAGS = 50
INPUT_KINDS = ("KinesisStreamsInput", "KinesisFirehoseInput")
OUTPUT_KINDS = ("KinesisStreamsOutput", "KinesisFirehoseOutput", "LambdaOutput")


def invalid(message: str) -> CommonServiceException:
    """An inconsistent configuration (KDA's InvalidArgumentException)."""
    return KDA.error("InvalidArgumentException", message)


def check_name(name: str) -> None:
    if not name or not _NAME.match(name):
        raise KDA.validation_error(
            f"Value '{name}' at 'applicationName' failed to satisfy constraint: Member must satisfy regular "
            "expression pattern: [a-zA-Z0-9_.-]+ and have length between 1 and 128")


def _check_role(where: str, config: dict) -> None:
    if not config.get("ResourceARN", "").startswith("arn:"):
        raise KDA.validation_error(f"Value '{config.get('ResourceARN')}' at '{where}.resourceARN' failed to satisfy "
                               "constraint: Member must satisfy regular expression pattern: arn:.*")
    role = config.get("RoleARN")
    if role is not None and not _ROLE.match(role):
        raise KDA.validation_error(f"Value '{role}' at '{where}.roleARN' failed to satisfy constraint: Member must "
                               r"satisfy regular expression pattern: arn:aws:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+")


def check_schema(schema: dict, where: str = "inputSchema") -> None:
    fmt = (schema or {}).get("RecordFormat") or {}
    kind = fmt.get("RecordFormatType")
    if kind not in ("JSON", "CSV"):
        raise KDA.validation_error(f"Value '{kind}' at '{where}.recordFormat.recordFormatType' failed to satisfy "
                               "constraint: Member must satisfy enum value set: [JSON, CSV]")
    params = fmt.get("MappingParameters") or {}
    if kind == "JSON" and not params.get("JSONMappingParameters"):
        raise invalid("JSONMappingParameters are required for the JSON record format")
    if kind == "CSV" and not params.get("CSVMappingParameters"):
        raise invalid("CSVMappingParameters are required for the CSV record format")
    columns = schema.get("RecordColumns") or []
    if not columns:
        raise invalid("RecordColumns must contain at least one column")
    seen = set()
    for column in columns:
        name = column.get("Name", "")
        if name in seen:
            raise invalid(f"Duplicate column name '{name}' in RecordColumns")
        seen.add(name)
        try:
            parse_type(column.get("SqlType", ""))
            if kind == "JSON":
                json_path(column.get("Mapping") or f"$.{name}")
                json_path(params["JSONMappingParameters"].get("RecordRowPath", ""))
        except (ValueError, MappingError) as problem:
            raise invalid(f"Invalid column '{name}': {problem}") from None


def _one_destination(config: dict, kinds: tuple[str, ...], where: str) -> None:
    given = [k for k in kinds if config.get(k)]
    if len(given) != 1:
        raise invalid(f"Exactly one of {', '.join(kinds[:-1])} or {kinds[-1]} must be provided")
    _check_role(f"{where}.{given[0]}", config[given[0]])


def _check_length(value: str, where: str) -> None:
    if not 1 <= len(value) <= 32:
        raise KDA.validation_error(f"Value '{value}' at '{where}' failed to satisfy constraint: Member must have "
                               "length between 1 and 32")


def check_input(config: dict) -> None:
    _one_destination(config, INPUT_KINDS, "input")
    _check_length(config.get("NamePrefix", ""), "input.namePrefix")
    count = (config.get("InputParallelism") or {}).get("Count", 1)
    if not 1 <= count <= 64:
        raise KDA.validation_error(f"Value '{count}' at 'input.inputParallelism.count' failed to satisfy constraint: "
                               "Member must have value between 1 and 64")
    processor = (config.get("InputProcessingConfiguration") or {}).get("InputLambdaProcessor")
    if processor:
        _check_role("input.inputProcessingConfiguration.inputLambdaProcessor", processor)
    check_schema(config.get("InputSchema"))


def check_output(config: dict) -> None:
    _one_destination(config, OUTPUT_KINDS, "output")
    _check_length(config.get("Name", ""), "output.name")
    kind = (config.get("DestinationSchema") or {}).get("RecordFormatType")
    if kind not in ("JSON", "CSV"):
        raise KDA.validation_error(f"Value '{kind}' at 'output.destinationSchema.recordFormatType' failed to satisfy "
                               "constraint: Member must satisfy enum value set: [JSON, CSV]")


def check_code(code: str | None) -> kda_sql.ApplicationPlan:
    try:
        return kda_sql.parse_application_code(code or "")
    except kda_sql.SqlRefused as refused:
        raise KDA.error("CodeValidationException", str(refused)) from None


def check_tags(tags: list | None, existing: int = 0) -> None:
    if tags and len(tags) + existing > MAX_TAGS:
        raise KDA.error("TooManyTagsException", f"Application can't have more than {MAX_TAGS} tags")
