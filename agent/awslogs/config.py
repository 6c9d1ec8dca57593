"""Load and validate awslogs.conf, the CloudWatch Logs agent's configuration
(configparser, no interpolation: datetime_format holds `%`).

`[general]` holds `state_file`; every other section is one file shipped to one
log stream. Defaults and limits are those of AWS's CloudWatch Logs agent
reference. An invalid value raises ConfigError naming `[section] key`; a key
the agent does not know is a warning naming it.
"""
from __future__ import annotations

import codecs
import configparser
import hashlib
import logging
import os
import re
import socket
from dataclasses import dataclass
from pathlib import Path

from agent.awslogs.timestamps import FormatError, format_regex

LOG = logging.getLogger(__name__)

# PutLogEvents / agent reference limits.
MAX_BATCH_COUNT = 10_000
MAX_BATCH_SIZE = 1_048_576
EVENT_OVERHEAD = 26                  # bytes counted per event on top of its UTF-8 message
MIN_BUFFER_DURATION_MS = 5_000
DEFAULT_MULTI_LINE_START = r"^[^\s]"  # a line not starting with white space starts an event

GENERAL_KEYS = {"state_file"}
GENERAL_IGNORED = {"logging_config_file", "use_gzip_http_content_encoding", "queue_size"}
SECTION_KEYS = {
    "file", "log_group_name", "log_stream_name", "datetime_format", "time_zone",
    "initial_position", "buffer_duration", "batch_count", "batch_size",
    "multi_line_start_pattern", "encoding", "file_fingerprint_lines", "region",
}
_GROUP_NAME = re.compile(r"^[\w\-./#]{1,512}$")
_STREAM_NAME = re.compile(r"^[^:*]{1,512}$")
_REGION = re.compile(r"^[a-z]{2}(?:-[a-z]+)+-\d+$")
_FINGERPRINT_LINES = re.compile(r"^(\d+)(?:-(\d+))?$")
_GLOBAL_FLAGS = re.compile(r"^\(\?[aiLmsux]+\)")


class ConfigError(ValueError):
    """An invalid configuration; the message starts with `[section] key`."""


@dataclass(frozen=True)
class LogSection:
    """One log section: a file and where its events go."""

    name: str
    file: str
    log_group_name: str
    log_stream_name: str               # placeholders already substituted
    region: str
    datetime_format: str | None = None
    utc: bool = False                  # time_zone UTC (else LOCAL)
    start_at_end: bool = False         # initial_position end_of_file
    buffer_duration_ms: int = MIN_BUFFER_DURATION_MS
    batch_count: int = 1_000
    batch_size: int = 32_768
    multi_line_start_pattern: str = DEFAULT_MULTI_LINE_START   # a regex, search semantics
    encoding: str = "utf_8"
    file_fingerprint_lines: tuple[int, int] = (1, 1)


@dataclass(frozen=True)
class AwsLogsConfig:
    state_file: Path
    sections: tuple[LogSection, ...]


def instance_id() -> str:
    """LAB_INSTANCE_ID, else an EC2-shaped id stable for this host."""
    env = os.environ.get("LAB_INSTANCE_ID")
    if env:
        return env
    return "i-" + hashlib.sha256(socket.gethostname().encode()).hexdigest()[:17]


def ip_address() -> str:
    """The address of the interface a packet out would use (no packet is sent)."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("10.254.254.254", 1))
            return s.getsockname()[0]
    except OSError:
        return "127.0.0.1"


def _placeholders(value: str, where: str) -> str:
    names = {"instance_id": instance_id, "hostname": socket.gethostname, "ip_address": ip_address}

    def sub(m: re.Match) -> str:
        if m.group(1) not in names:
            raise ConfigError(f"{where}: unknown placeholder {{{m.group(1)}}} "
                              f"(supported: {{instance_id}}, {{hostname}}, {{ip_address}})")
        return names[m.group(1)]()
    return re.sub(r"\{(\w+)\}", sub, value)


def _int(value: str, where: str, lo: int, hi: int | None) -> int:
    try:
        n = int(value)
    except ValueError:
        raise ConfigError(f"{where}: {value!r} is not an integer") from None
    if n < lo or (hi is not None and n > hi):
        bound = f"{lo}..{hi}" if hi is not None else f">= {lo}"
        raise ConfigError(f"{where}: {n} is out of range ({bound})")
    return n


def search_pattern(pattern: str) -> str:
    """A regex that, used with re.match at a line's start, finds `pattern` anywhere
    in the line (the agent searches; the shared splitter matches)."""
    flags = _GLOBAL_FLAGS.match(pattern)
    head = flags.group(0) if flags else ""
    return f"{head}(?:.*?)(?:{pattern[len(head):]})"


def _section(name: str, raw: configparser.SectionProxy, default_region: str) -> LogSection:
    def where(key: str) -> str:
        return f"[{name}] {key}"

    for key in raw:
        if key not in SECTION_KEYS:
            LOG.warning("%s: unknown key, ignored", where(key))
    for key in ("file", "log_group_name", "log_stream_name"):
        if not raw.get(key, "").strip():
            raise ConfigError(f"{where(key)}: required")
    file = raw["file"].strip()
    if not os.path.isabs(file):
        raise ConfigError(f"{where('file')}: {file!r} is not an absolute path")
    group = raw["log_group_name"].strip()
    if not _GROUP_NAME.match(group):
        raise ConfigError(f"{where('log_group_name')}: {group!r} is not a valid log group name "
                          f"(1-512 of a-z A-Z 0-9 _ - . / #)")
    stream = _placeholders(raw["log_stream_name"].strip(), where("log_stream_name"))
    if not _STREAM_NAME.match(stream):
        raise ConfigError(f"{where('log_stream_name')}: {stream!r} is not a valid log stream "
                          f"name (1-512 characters, no : or *)")
    region = raw.get("region", "").strip() or default_region
    if not _REGION.match(region):
        raise ConfigError(f"{where('region')}: {region!r} is not a region name")

    fmt = raw.get("datetime_format") or None
    if fmt is not None:
        try:
            format_regex(fmt)
        except FormatError as exc:
            raise ConfigError(f"{where('datetime_format')}: {fmt!r} {exc}") from None
    tz = raw.get("time_zone", "LOCAL").strip()
    if tz not in ("LOCAL", "UTC"):
        raise ConfigError(f"{where('time_zone')}: {tz!r} must be LOCAL or UTC")
    position = raw.get("initial_position", "start_of_file").strip()
    if position not in ("start_of_file", "end_of_file", "end_of_stream"):
        raise ConfigError(f"{where('initial_position')}: {position!r} must be start_of_file "
                          f"or end_of_file")
    duration = _int(raw.get("buffer_duration", str(MIN_BUFFER_DURATION_MS)),
                    where("buffer_duration"), MIN_BUFFER_DURATION_MS, None)
    count = _int(raw.get("batch_count", "1000"), where("batch_count"), 1, MAX_BATCH_COUNT)
    size = _int(raw.get("batch_size", "32768"), where("batch_size"),
                EVENT_OVERHEAD + 1, MAX_BATCH_SIZE)

    pattern = raw.get("multi_line_start_pattern", DEFAULT_MULTI_LINE_START).strip()
    if pattern == "{datetime_format}":
        if fmt is None:
            raise ConfigError(f"{where('multi_line_start_pattern')}: {{datetime_format}} needs "
                              f"datetime_format")
        pattern = format_regex(fmt)
    try:
        re.compile(search_pattern(pattern))
    except re.error as exc:
        raise ConfigError(f"{where('multi_line_start_pattern')}: {pattern!r} is not a valid "
                          f"regular expression ({exc})") from None
    encoding = raw.get("encoding", "utf_8").strip()
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise ConfigError(f"{where('encoding')}: {encoding!r} is not an encoding Python's "
                          f"codecs know") from None
    if "\n".encode(encoding) != b"\n":
        raise ConfigError(f"{where('encoding')}: {encoding!r} does not write a newline as the "
                          f"byte 0x0a (the agent splits lines on it)")
    lines = raw.get("file_fingerprint_lines", "1").strip()
    m = _FINGERPRINT_LINES.match(lines)
    if not m or int(m.group(1)) < 1 or (m.group(2) and int(m.group(2)) < int(m.group(1))):
        raise ConfigError(f"{where('file_fingerprint_lines')}: {lines!r} must be N or N-M "
                          f"(1 <= N <= M)")
    return LogSection(
        name=name, file=file, log_group_name=group, log_stream_name=stream, region=region,
        datetime_format=fmt, utc=tz == "UTC", start_at_end=position != "start_of_file",
        buffer_duration_ms=duration, batch_count=count, batch_size=size,
        multi_line_start_pattern=search_pattern(pattern), encoding=encoding,
        file_fingerprint_lines=(int(m.group(1)), int(m.group(2) or m.group(1))),
    )


def load_config(path: str | os.PathLike) -> AwsLogsConfig:
    """Read and validate awslogs.conf; raise ConfigError on any invalid value."""
    parser = configparser.ConfigParser(interpolation=None, default_section="\0none")
    try:
        with open(path, encoding="utf-8") as f:
            parser.read_file(f)
    except FileNotFoundError:
        raise ConfigError(f"--config: file {path} does not exist") from None
    except configparser.Error as exc:
        raise ConfigError(f"--config: {path} cannot be parsed: {exc}") from None
    if not parser.has_section("general"):
        raise ConfigError("[general]: section missing (it holds state_file)")
    general = parser["general"]
    for key in general:
        if key in GENERAL_IGNORED:
            LOG.info("[general] %s: accepted and ignored", key)
        elif key not in GENERAL_KEYS:
            LOG.warning("[general] %s: unknown key, ignored", key)
    state = general.get("state_file", "").strip()
    if not state:
        raise ConfigError("[general] state_file: required")
    default_region = os.environ.get("AWS_DEFAULT_REGION") or os.environ.get("AWS_REGION") \
        or "us-east-1"
    sections = tuple(_section(n, parser[n], default_region)
                     for n in parser.sections() if n != "general")
    if not sections:
        raise ConfigError("--config: no log section (a section with file, log_group_name, "
                          "log_stream_name)")
    return AwsLogsConfig(state_file=Path(state).expanduser(), sections=sections)
