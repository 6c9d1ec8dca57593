"""Record format conversion: JSON records -> Apache Parquet or ORC, with a Glue table's schema.

DataFormatConversionConfiguration (ExtendedS3 only):
- InputFormatConfiguration.Deserializer: OpenXJsonSerDe {CaseInsensitive (default true),
  ConvertDotsInJsonKeysToUnderscores (default false), ColumnToJsonKeyMappings} or
  HiveJsonSerDe {TimestampFormats (Joda patterns, or "millis")};
- SchemaConfiguration: the Glue table (CatalogId, DatabaseName, TableName, Region,
  VersionId (default LATEST), RoleARN) whose columns are the output schema;
- OutputFormatConfiguration.Serializer: ParquetSerDe {Compression SNAPPY (default) |
  GZIP | UNCOMPRESSED, BlockSizeBytes, PageSizeBytes, WriterVersion V1 | V2,
  EnableDictionaryCompression, MaxPaddingBytes} or OrcSerDe {Compression SNAPPY |
  ZLIB | NONE, StripeSizeBytes, BlockSizeBytes, RowIndexStride, ...}.
Attributes that are not columns of the table are dropped; missing ones are null.
A record that is not a JSON object, or a value that does not fit its column, fails
the record (format-conversion-failed), not the object. Written with pyarrow.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pyarrow as pa
import pyarrow.orc as pa_orc
import pyarrow.parquet as pq

from lab_localstack.firehose.glue_types import (
    ConversionError,
    arrow_schema,
    coerce,
    epoch_to_datetime,
)
from lab_localstack.firehose.json_records import consecutive_documents

MALFORMED_DATA = "DataFormatConversion.MalformedData"
INVALID_SCHEMA = "DataFormatConversion.InvalidSchema"
# OpenX's timestamp formats (AWS's developer guide, "Choose the JSON deserializer").
_ISO_Z = re.compile(r"^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(\.\d{1,9})?Z$")
_HIVE_DEFAULT = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})[ T](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?$")
_JODA_TO_STRPTIME = [("yyyy", "%Y"), ("MM", "%m"), ("dd", "%d"), ("HH", "%H"), ("mm", "%M"),
                     ("ss", "%S"), ("SSS", "%f"), ("'T'", "T"), ("'Z'", "Z"), ("Z", "%z")]
EXTENSIONS = {"parquet": ".parquet", "orc": ".orc"}


@dataclass(frozen=True)
class Deserializer:
    kind: str = "openx"                              # "openx" | "hive"
    case_insensitive: bool = True
    dots_to_underscores: bool = False
    column_to_key: tuple[tuple[str, str], ...] = ()
    timestamp_formats: tuple[str, ...] = ()


@dataclass(frozen=True)
class Serializer:
    kind: str = "parquet"                            # "parquet" | "orc"
    options: tuple[tuple[str, object], ...] = field(default_factory=tuple)

    def option(self, name: str, default=None):
        return dict(self.options).get(name, default)


@dataclass(frozen=True)
class ConversionSettings:
    deserializer: Deserializer
    serializer: Serializer
    schema: tuple[tuple[str, str], ...]              # SchemaConfiguration's fields

    def schema_field(self, name: str, default: str = "") -> str:
        return dict(self.schema).get(name) or default

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.serializer.kind]


def conversion_settings(config: dict | None) -> ConversionSettings | None:
    """The conversion of an ExtendedS3 description, or None when it is not enabled."""
    if not config or config.get("Enabled") is False:
        return None
    deserializer_config = (config.get("InputFormatConfiguration") or {}).get("Deserializer") or {}
    if "HiveJsonSerDe" in deserializer_config:
        hive = deserializer_config["HiveJsonSerDe"] or {}
        deserializer = Deserializer("hive", timestamp_formats=tuple(hive.get("TimestampFormats") or ()))
    else:
        openx = deserializer_config.get("OpenXJsonSerDe") or {}
        deserializer = Deserializer(
            "openx",
            case_insensitive=openx.get("CaseInsensitive", True),
            dots_to_underscores=openx.get("ConvertDotsInJsonKeysToUnderscores", False),
            column_to_key=tuple(sorted((openx.get("ColumnToJsonKeyMappings") or {}).items())),
        )
    serializer_config = (config.get("OutputFormatConfiguration") or {}).get("Serializer") or {}
    if "OrcSerDe" in serializer_config:
        serializer = Serializer("orc", tuple(sorted((serializer_config["OrcSerDe"] or {}).items(), key=str)))
    else:
        parquet = serializer_config.get("ParquetSerDe") or {}
        serializer = Serializer("parquet", tuple(sorted(parquet.items(), key=str)))
    schema = tuple(sorted((k, str(v)) for k, v in (config.get("SchemaConfiguration") or {}).items()))
    return ConversionSettings(deserializer, serializer, schema)


# --- timestamps -------------------------------------------------------------------------
def _joda(pattern: str) -> str:
    for joda, strp in _JODA_TO_STRPTIME:
        pattern = pattern.replace(joda, strp)
    return pattern


def _as_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def timestamp_parser(deserializer: Deserializer):
    """A function JSON value -> UTC datetime following the deserializer's rules."""
    formats = [_joda(f) for f in deserializer.timestamp_formats if f != "millis"]
    millis = "millis" in deserializer.timestamp_formats

    def parse(value) -> datetime:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if deserializer.kind == "hive" and millis:
                return datetime.fromtimestamp(value / 1000, tz=UTC)
            return epoch_to_datetime(value)
        if not isinstance(value, str):
            raise ConversionError(f"{value!r} is not a timestamp")
        text = value.strip()
        for pattern in formats:
            try:
                return _as_utc(datetime.strptime(text, pattern))
            except ValueError:
                continue
        match = _ISO_Z.match(text) if deserializer.kind == "openx" else None
        if match:
            fraction = (match.group(3) or ".0")[:7]
            return datetime.fromisoformat(f"{match.group(1)}T{match.group(2)}{fraction}+00:00")
        match = _HIVE_DEFAULT.match(text)
        if match:
            y, mo, d, h, mi, s = (int(g) for g in match.groups()[:6])
            micros = int(((match.group(7) or ".0")[1:] + "000000")[:6])
            return datetime(y, mo, d, h, mi, s, micros, tzinfo=UTC)
        if deserializer.kind == "openx" and re.fullmatch(r"-?\d+(\.\d+)?", text):
            return epoch_to_datetime(float(text))
        raise ConversionError(f"{value!r} is not a timestamp in a format the deserializer accepts")

    return parse


# --- records -> rows ------------------------------------------------------------------
class RowBuilder:
    """Turns JSON records into rows of the table's columns (dropping other attributes)."""

    def __init__(self, columns: list[dict], deserializer: Deserializer):
        self.schema = arrow_schema(columns)
        self._deserializer = deserializer
        self._parse_timestamp = timestamp_parser(deserializer)
        self._mapping = {c.lower(): k for c, k in deserializer.column_to_key}

    def _key(self, key: str) -> str:
        d = self._deserializer
        if d.dots_to_underscores:
            key = key.replace(".", "_")
        if d.kind == "hive" or d.case_insensitive:
            key = key.lower()
        return key

    def rows(self, data: bytes) -> list[dict]:
        """A record's rows: one per JSON object in it (`{..}{..}` is valid input, an array is not)."""
        try:
            documents = consecutive_documents(data)
        except (UnicodeDecodeError, ValueError) as error:
            raise ConversionError(f"The record is not valid JSON: {error}") from None
        return [self.row(document) for document, _ in documents]

    def row(self, document) -> dict:
        """One JSON object as {column: value}; raises ConversionError when it does not fit."""
        if not isinstance(document, dict):
            raise ConversionError("The record is not a JSON object")
        by_key = {self._key(k): v for k, v in document.items()}
        if self._mapping:
            originals = {k.lower() if self._deserializer.case_insensitive else k: v for k, v in document.items()}
        row = {}
        for schema_field in self.schema:
            name = schema_field.name
            if name in self._mapping:
                mapped = self._mapping[name]
                value = originals.get(mapped.lower() if self._deserializer.case_insensitive else mapped)
            else:
                value = by_key.get(name)
            try:
                row[name] = coerce(value, schema_field.type, self._parse_timestamp)
            except ConversionError as error:
                raise ConversionError(f"Column '{name}': {error}") from None
        return row


# --- rows -> file -------------------------------------------------------------------------
def _parquet_bytes(table: pa.Table, serializer: Serializer) -> bytes:
    compression = str(serializer.option("Compression", "SNAPPY")).upper()
    # BlockSizeBytes (default 256 MiB) bounds a row group; pyarrow sizes row groups in rows.
    row_bytes = max(1, table.nbytes // max(1, table.num_rows))
    buffer = io.BytesIO()
    pq.write_table(
        table, buffer,
        row_group_size=max(1, int(serializer.option("BlockSizeBytes", 256 * 1024 * 1024)) // row_bytes),
        compression="NONE" if compression == "UNCOMPRESSED" else compression,
        use_dictionary=bool(serializer.option("EnableDictionaryCompression", True)),
        data_page_size=int(serializer.option("PageSizeBytes", 1024 * 1024)),
        data_page_version="2.0" if serializer.option("WriterVersion", "V1") == "V2" else "1.0",
    )
    return buffer.getvalue()


def _orc_bytes(table: pa.Table, serializer: Serializer) -> bytes:
    compression = str(serializer.option("Compression", "SNAPPY")).upper()
    buffer = io.BytesIO()
    pa_orc.write_table(
        table, buffer,
        compression={"NONE": "UNCOMPRESSED"}.get(compression, compression),
        stripe_size=int(serializer.option("StripeSizeBytes", 64 * 1024 * 1024)),
        row_index_stride=int(serializer.option("RowIndexStride", 10000)),
        file_version="0.11" if serializer.option("FormatVersion", "V0_12") == "V0_11" else "0.12",
    )
    return buffer.getvalue()


def write_rows(rows: list[dict], schema: pa.Schema, serializer: Serializer) -> bytes:
    """One Parquet or ORC file holding the rows."""
    table = pa.Table.from_pylist(rows, schema=schema)
    if serializer.kind == "orc":
        return _orc_bytes(table, serializer)
    return _parquet_bytes(table, serializer)
