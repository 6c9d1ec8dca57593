"""The storage formats a statement writes (CTAS `format`, UNLOAD `format`, INSERT INTO the
table's format): PARQUET, TEXTFILE (LazySimpleSerDe lines: `field_delimiter`, default
`\\001`, `\\N` for NULL), JSON (one object per line) and ORC (UNLOAD only: the lab reads no
ORC tables); AVRO is refused with a reason. Compression as Athena names it, with Athena's
defaults for Hive tables: GZIP for Parquet, text and JSON, ZLIB for ORC. Each format as
DuckDB COPY options, the data file's extension, and the Glue SerDe a table of it has."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow.orc
import pyarrow.parquet

from lab_localstack import hive
from lab_localstack.athena import errors

FORMATS = ("PARQUET", "TEXTFILE", "JSON", "ORC")
DEFAULT_CODEC = {"PARQUET": "GZIP", "TEXTFILE": "GZIP", "JSON": "GZIP", "ORC": "ZLIB"}
# Athena's codec name -> the writer's (DuckDB's for Parquet/text/JSON, pyarrow's for ORC)
CODECS = {
    "PARQUET": {"SNAPPY": "SNAPPY", "GZIP": "GZIP", "ZSTD": "ZSTD", "LZ4": "LZ4_RAW", "NONE": "UNCOMPRESSED",
                "UNCOMPRESSED": "UNCOMPRESSED"},
    "TEXTFILE": {"GZIP": "gzip", "ZSTD": "zstd", "NONE": "none", "UNCOMPRESSED": "none"},
    "JSON": {"GZIP": "gzip", "ZSTD": "zstd", "NONE": "none", "UNCOMPRESSED": "none"},
    "ORC": {"ZLIB": "zlib", "SNAPPY": "snappy", "ZSTD": "zstd", "LZ4": "lz4", "NONE": "uncompressed",
            "UNCOMPRESSED": "uncompressed"},
}
_EXTENSION = {"gzip": ".gz", "zstd": ".zst"}


@dataclass(frozen=True)
class FileFormat:
    name: str = "PARQUET"        # one of FORMATS
    codec: str = "GZIP"          # Athena's name of the compression
    delimiter: str = "\x01"      # TEXTFILE's field delimiter

    @property
    def writer_codec(self) -> str:
        return CODECS[self.name][self.codec]

    @property
    def extension(self) -> str:
        """Athena names compressed text files `.gz`/`.zst`; Parquet and ORC files have none."""
        return _EXTENSION.get(self.writer_codec, "") if self.name in ("TEXTFILE", "JSON") else ""


def resolve(name: str | None, codec: str | None = None, delimiter: str | None = None,
            allowed: tuple[str, ...] = FORMATS) -> FileFormat:
    """The format a statement asked for, or QueryFailed naming what is possible."""
    fmt = (name or "PARQUET").upper()
    if fmt == "AVRO" or (fmt in FORMATS and fmt not in allowed):
        raise errors.QueryFailed(f"NOT_SUPPORTED: the lab does not write {fmt} here (it writes "
                                 f"{', '.join(allowed)})")
    if fmt not in FORMATS:
        raise errors.QueryFailed(f"INVALID_TABLE_PROPERTY: Unsupported format '{fmt}'. Supported: "
                                 "PARQUET, ORC, AVRO, JSON, TEXTFILE")
    chosen = (codec or DEFAULT_CODEC[fmt]).upper()
    if chosen not in CODECS[fmt]:
        raise errors.QueryFailed(f"INVALID_TABLE_PROPERTY: Unsupported compression codec '{chosen}' for {fmt}. "
                                 f"Supported: {', '.join(c for c in CODECS[fmt] if c != 'UNCOMPRESSED')}")
    sep = "\x01" if delimiter is None else delimiter
    if fmt == "TEXTFILE" and len(sep) != 1:
        raise errors.QueryFailed(f"INVALID_TABLE_PROPERTY: field_delimiter must be a single character, "
                                 f"not '{sep}'")
    return FileFormat(fmt, chosen, sep)


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def copy_options(ff: FileFormat) -> str:
    """DuckDB COPY options that write the format (ORC and JSON: Parquet first, converted by
    `finish`, as DuckDB writes neither ORC nor partitioned JSON)."""
    if ff.name == "PARQUET":
        return f"FORMAT PARQUET, COMPRESSION {ff.writer_codec}"
    if ff.name in ("ORC", "JSON"):
        return "FORMAT PARQUET, COMPRESSION UNCOMPRESSED"
    return (f"FORMAT CSV, HEADER false, DELIMITER {_lit(ff.delimiter)}, QUOTE '', ESCAPE '', "
            f"NULLSTR '\\N', COMPRESSION {ff.writer_codec}")


def finish(con: duckdb.DuckDBPyConnection, path: Path, ff: FileFormat) -> None:
    """Turns a file `copy_options` wrote into the format's file, in place (ORC and JSON
    lines from Parquet)."""
    if ff.name == "ORC":
        table = pyarrow.parquet.read_table(path)
        pyarrow.orc.write_table(table, str(path), compression=ff.writer_codec)
    elif ff.name == "JSON":
        staged = path.with_name(path.name + ".staged")
        path.rename(staged)
        con.execute(f"COPY (SELECT * FROM read_parquet({_lit(str(staged))})) TO {_lit(str(path))} "
                    f"(FORMAT JSON, COMPRESSION {ff.writer_codec})")
        staged.unlink()


def table_storage(ff: FileFormat, columns: list[dict], location: str) -> tuple[dict, dict]:
    """(StorageDescriptor, table Parameters) of a Glue table whose files are of this format."""
    stored_as = "TEXTFILE" if ff.name == "TEXTFILE" else ff.name
    serde, input_format, output_format = hive.STORED_AS[stored_as]
    serde_params = {"serialization.format": "1"}
    if ff.name == "TEXTFILE":
        serde_params = {"field.delim": ff.delimiter, "serialization.format": ff.delimiter}
    storage = {"Columns": columns, "Location": location, "InputFormat": input_format,
               "OutputFormat": output_format,
               "SerdeInfo": {"SerializationLibrary": serde, "Parameters": serde_params}}
    params = {"EXTERNAL": "TRUE", "has_encrypted_data": "false"}
    if ff.name == "PARQUET":
        params["parquet.compression"] = ff.codec
    else:
        params["write.compression"] = ff.codec
    return storage, params


def of_table(table: dict) -> FileFormat | None:
    """The format INSERT INTO writes for a Glue table, or None when the lab cannot write it."""
    storage = table.get("StorageDescriptor") or {}
    serde_info = storage.get("SerdeInfo") or {}
    serde = serde_info.get("SerializationLibrary") or ""
    text = f"{serde} {storage.get('InputFormat') or ''}".lower()
    params = table.get("Parameters") or {}
    codec = params.get("write.compression") or params.get("compressionType")
    if "parquet" in text:
        return resolve("PARQUET", params.get("parquet.compression") or params.get("write.compression"))
    if "json" in text:
        return resolve("JSON", codec)
    if serde in ("", hive.LAZY_SIMPLE):
        sd_params = serde_info.get("Parameters") or {}
        delim = sd_params.get("field.delim") or sd_params.get("serialization.format") or "\x01"
        return resolve("TEXTFILE", codec, "\x01" if delim == "1" else delim)
    return None
