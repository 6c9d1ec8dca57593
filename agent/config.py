"""Load and validate the Kinesis Agent's `agent.json` into small dataclasses.

Keys the agent implements are validated (an invalid value raises ConfigError
naming the key, which the CLI turns into exit code 2). Keys the Kinesis Agent
knows but this agent ignores are reported at info level; any other key is a
warning naming it, so a typo never goes unnoticed.
"""
from __future__ import annotations

import json
import logging
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agent import processing

LOG = logging.getLogger(__name__)

FIREHOSE = "firehose"
KINESIS = "kinesis"

# API limits (also the Kinesis Agent's validation ranges).
MAX_BATCH_RECORDS = 500
MAX_BATCH_BYTES = {FIREHOSE: 4 * 1024 * 1024, KINESIS: 5 * 1024 * 1024}
MAX_RECORD_BYTES = 1000 * 1024

DEFAULT_CHECKPOINT_FILE = "~/.local/state/clickstream-agent/checkpoints.sqlite"

GLOBAL_SUPPORTED = {
    "checkpointFile", "checkpointTimeToLiveDays", "firehose.endpoint", "firehose.region",
    "kinesis.endpoint", "kinesis.region", "awsAccessKeyId", "awsSecretAccessKey",
    "awsSessionToken", "log.level", "log.statusReportingPeriodSeconds",
    "connectionTimeoutMillis", "socketTimeoutMillis", "flows",
}
# Known to the Kinesis Agent, accepted and ignored here (see agent/README.md).
GLOBAL_IGNORED = {
    "cloudwatch.emitMetrics", "cloudwatch.endpoint", "cloudwatch.tagInstance",
    "cloudwatch.metricsBufferTimeMillis", "cloudwatch.namespace", "cloudwatch.metricsQueueSize",
    "maxSendingThreads", "maxSendingThreadsPerCore", "sendingThreadsKeepAliveMillis",
    "sendingThreadsMaxQueueSize", "maxConnections", "connectionTTLMillis", "useTcpKeepAlive",
    "useHttpGzip", "shutdownTimeoutMillis", "assumeRoleARN", "assumeRoleExternalId",
    "assumeRoleDurationSeconds", "sts.endpoint", "userDefinedCredentialsProvider.classname",
    "userDefinedCredentialsProvider.location", "log.file", "log.maxBackupIndex",
    "log.maxFileSize", "log.emitMetrics", "log.emitInternalMetrics",
}
FLOW_SUPPORTED = {
    "filePattern", "initialPosition", "deliveryStream", "kinesisStream", "partitionKeyOption",
    "maxBufferAgeMillis", "maxBufferSizeRecords", "maxBufferSizeBytes", "skipHeaderLines",
    "multiLineStartPattern", "truncatedRecordTerminator", "dataProcessingOptions",
    "minTimeBetweenFilePollsMillis", "retryInitialBackoffMillis", "retryMaxBackoffMillis",
    "publishQueueCapacity",
}
FLOW_IGNORED = {
    "aggregatedRecordSizeBytes", "fileFooterPattern", "waitOnFullPublishQueueMillis",
    "waitOnEmptyPublishQueueMillis", "waitOnFullRetryQueueMillis",
    "maxTimeBetweenFileTrackerRefreshMillis", "log.emitInternalMetrics",
}

LOG_LEVELS = {"TRACE": "DEBUG", "DEBUG": "DEBUG", "INFO": "INFO", "WARN": "WARNING",
              "WARNING": "WARNING", "ERROR": "ERROR", "FATAL": "CRITICAL"}


class ConfigError(ValueError):
    """An invalid configuration; the message starts with the offending key."""


@dataclass(frozen=True)
class FlowConfig:
    """One `flows[]` entry: a file pattern and its destination."""

    file_pattern: str
    destination_type: str          # FIREHOSE or KINESIS
    destination: str
    initial_position: str = "END_OF_FILE"
    partition_key_option: str = "RANDOM"
    max_buffer_age_ms: int = 60_000
    max_buffer_size_records: int = MAX_BATCH_RECORDS
    max_buffer_size_bytes: int = 4 * 1024 * 1024
    skip_header_lines: int = 0
    multi_line_start_pattern: str | None = None
    truncated_record_terminator: bytes = b"\n"
    data_processing_options: tuple[dict, ...] = ()
    poll_interval_ms: int = 100
    retry_initial_backoff_ms: int = 100
    retry_max_backoff_ms: int = 10_000
    publish_queue_capacity: int = 4

    @property
    def id(self) -> str:
        prefix = "fh" if self.destination_type == FIREHOSE else "kinesis"
        return f"{prefix}:{self.destination}:{self.file_pattern}"


@dataclass(frozen=True)
class AgentConfig:
    """The whole agent.json."""

    flows: tuple[FlowConfig, ...]
    checkpoint_file: Path = field(default_factory=lambda: Path(DEFAULT_CHECKPOINT_FILE).expanduser())
    checkpoint_ttl_days: int = 7
    endpoints: dict[str, str] = field(default_factory=dict)   # service -> raw endpoint value
    regions: dict[str, str] = field(default_factory=dict)     # service -> explicit region
    aws_access_key_id: str | None = None
    aws_secret_access_key: str | None = None
    aws_session_token: str | None = None
    log_level: str = "INFO"
    status_period_s: int = 30
    connect_timeout_ms: int = 2_000
    socket_timeout_ms: int = 10_000


def load_config(path: str | os.PathLike) -> AgentConfig:
    """Read and validate agent.json; raise ConfigError on any invalid value."""
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"--config: file {path} does not exist") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"--config: cannot read {path} as JSON: {exc}") from None
    return parse_config(raw)


def parse_config(raw: Any) -> AgentConfig:
    """Validate an already-decoded agent.json document."""
    if not isinstance(raw, dict):
        raise ConfigError("(top level): agent.json must be a JSON object")
    _report_keys(raw, GLOBAL_SUPPORTED, GLOBAL_IGNORED, "")
    flows_raw = raw.get("flows")
    if not isinstance(flows_raw, list) or not flows_raw:
        raise ConfigError("flows: must be a non-empty list of flow objects")
    flows = tuple(_parse_flow(f, i) for i, f in enumerate(flows_raw))

    endpoints, regions = {}, {}
    for service in (FIREHOSE, KINESIS):
        value = _opt_str(raw, f"{service}.endpoint")
        if value is not None:
            endpoints[service] = value
        region = _opt_str(raw, f"{service}.region")
        if region is not None:
            if not re.fullmatch(r"[a-z]{2}(-[a-z]+)+-\d+", region):
                raise ConfigError(f"{service}.region: not a region name: {region!r}")
            regions[service] = region

    key_id = _opt_str(raw, "awsAccessKeyId")
    secret = _opt_str(raw, "awsSecretAccessKey")
    if (key_id is None) != (secret is None):
        raise ConfigError("awsAccessKeyId/awsSecretAccessKey: give both or neither")

    level = raw.get("log.level", "INFO")
    if not isinstance(level, str) or level.upper() not in LOG_LEVELS:
        raise ConfigError(f"log.level: must be one of {', '.join(LOG_LEVELS)}, got {level!r}")

    checkpoint = _opt_str(raw, "checkpointFile") or DEFAULT_CHECKPOINT_FILE
    return AgentConfig(
        flows=flows,
        checkpoint_file=Path(checkpoint).expanduser(),
        checkpoint_ttl_days=_int(raw, "checkpointTimeToLiveDays", 7, 1, 3650),
        endpoints=endpoints,
        regions=regions,
        aws_access_key_id=key_id,
        aws_secret_access_key=secret,
        aws_session_token=_opt_str(raw, "awsSessionToken"),
        log_level=LOG_LEVELS[level.upper()],
        status_period_s=_int(raw, "log.statusReportingPeriodSeconds", 30, 1, 86_400),
        connect_timeout_ms=_int(raw, "connectionTimeoutMillis", 2_000, 100, 600_000),
        socket_timeout_ms=_int(raw, "socketTimeoutMillis", 10_000, 100, 600_000),
    )


def _parse_flow(raw: Any, index: int) -> FlowConfig:
    where = f"flows[{index}]."
    if not isinstance(raw, dict):
        raise ConfigError(f"flows[{index}]: must be a JSON object")
    _report_keys(raw, FLOW_SUPPORTED, FLOW_IGNORED, where)

    pattern = _opt_str(raw, "filePattern", where)
    if not pattern:
        raise ConfigError(f"{where}filePattern: required (a glob of the files to tail)")
    if not os.path.isabs(pattern):
        raise ConfigError(f"{where}filePattern: must be an absolute path, got {pattern!r}")

    firehose = _opt_str(raw, "deliveryStream", where)
    kinesis = _opt_str(raw, "kinesisStream", where)
    if bool(firehose) == bool(kinesis):
        raise ConfigError(f"{where}deliveryStream/kinesisStream: give exactly one of them")
    kind, dest = (FIREHOSE, firehose) if firehose else (KINESIS, kinesis)
    if not re.fullmatch(r"[a-zA-Z0-9_.-]{1,128}", dest):
        key = "deliveryStream" if firehose else "kinesisStream"
        raise ConfigError(f"{where}{key}: not a valid stream name: {dest!r}")

    position = raw.get("initialPosition", "END_OF_FILE")
    if position not in ("START_OF_FILE", "END_OF_FILE"):
        raise ConfigError(f"{where}initialPosition: must be START_OF_FILE or END_OF_FILE, "
                          f"got {position!r}")
    pk = raw.get("partitionKeyOption", "RANDOM")
    if pk not in ("RANDOM", "DETERMINISTIC"):
        raise ConfigError(f"{where}partitionKeyOption: must be RANDOM or DETERMINISTIC, got {pk!r}")

    multi = _opt_str(raw, "multiLineStartPattern", where)
    if multi:
        try:
            re.compile(multi)
        except re.error as exc:
            raise ConfigError(f"{where}multiLineStartPattern: invalid regex: {exc}") from None

    terminator = raw.get("truncatedRecordTerminator", "\n")
    if not isinstance(terminator, str) or not terminator or \
            len(terminator.encode()) >= MAX_RECORD_BYTES:
        raise ConfigError(f"{where}truncatedRecordTerminator: must be a non-empty string")

    options = raw.get("dataProcessingOptions", [])
    if not isinstance(options, list) or not all(isinstance(o, dict) for o in options):
        raise ConfigError(f"{where}dataProcessingOptions: must be a list of objects")
    try:
        processing.build_chain(options)
    except ValueError as exc:
        raise ConfigError(f"{where}dataProcessingOptions: {exc}") from None

    initial_backoff = _int(raw, "retryInitialBackoffMillis", 100, 1, 600_000, where)
    return FlowConfig(
        file_pattern=pattern,
        destination_type=kind,
        destination=dest,
        initial_position=position,
        partition_key_option=pk,
        max_buffer_age_ms=_int(raw, "maxBufferAgeMillis", 60_000, 1_000, 900_000, where),
        max_buffer_size_records=_int(raw, "maxBufferSizeRecords", MAX_BATCH_RECORDS, 1,
                                     MAX_BATCH_RECORDS, where),
        max_buffer_size_bytes=_int(raw, "maxBufferSizeBytes", MAX_BATCH_BYTES[kind], 1,
                                   MAX_BATCH_BYTES[kind], where),
        skip_header_lines=_int(raw, "skipHeaderLines", 0, 0, 1_000_000, where),
        multi_line_start_pattern=multi or None,
        truncated_record_terminator=terminator.encode(),
        data_processing_options=tuple(options),
        poll_interval_ms=_int(raw, "minTimeBetweenFilePollsMillis", 100, 10, 60_000, where),
        retry_initial_backoff_ms=initial_backoff,
        retry_max_backoff_ms=_int(raw, "retryMaxBackoffMillis", 10_000, initial_backoff,
                                  3_600_000, where),
        publish_queue_capacity=_int(raw, "publishQueueCapacity", 4, 1, 100, where),
    )


def _report_keys(raw: dict, supported: set[str], ignored: set[str], where: str) -> None:
    for key in raw:
        if key in supported:
            continue
        if key in ignored:
            LOG.info("config key %s%s is a Kinesis Agent setting this agent ignores", where, key)
        else:
            LOG.warning("unknown config key %s%s (ignored; typo?)", where, key)


def _opt_str(raw: dict, key: str, where: str = "") -> str | None:
    value = raw.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ConfigError(f"{where}{key}: must be a string, got {value!r}")
    return value.strip()


def _int(raw: dict, key: str, default: int, lo: int, hi: int, where: str = "") -> int:
    value = raw.get(key, default)
    # The Kinesis Agent also accepts numbers written as strings.
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d+\s*", value):
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"{where}{key}: must be an integer, got {value!r}")
    if not lo <= value <= hi:
        raise ConfigError(f"{where}{key}: must be between {lo} and {hi}, got {value}")
    return value
