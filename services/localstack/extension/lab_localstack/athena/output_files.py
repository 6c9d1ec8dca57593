"""Data files that a statement writes to S3 (CTAS, UNLOAD, INSERT INTO): a query's rows
as Parquet, text, JSON or ORC (file_formats.py), optionally Hive-partitioned (`k=v/`
folders), uploaded under a location (which CTAS and UNLOAD require to be empty, as Athena
does); the S3 URIs written are what the data manifest lists."""
from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

import duckdb
from sqlglot import exp

from lab_localstack.athena import engine, errors, file_formats, s3_objects
from lab_localstack.athena.file_formats import FileFormat

LOG = logging.getLogger(__name__)


@dataclass
class Written:
    uris: list[str]                               # every data file, in the order written
    partitions: list[tuple[list[str], str]]       # (values, location) of each Hive partition written
    rows: int
    columns: list[tuple[str, str]]                # (name, DuckDB type) of the query's columns


def directory(location: str) -> tuple[str, str]:
    """(bucket, prefix ending in / or empty) of a location taken as a folder."""
    try:
        bucket, prefix = s3_objects.split_uri(location)
    except ValueError as exc:
        raise errors.QueryFailed(f"INVALID_TABLE_PROPERTY: location '{location}' is not an S3 URI") from exc
    return bucket, prefix if not prefix or prefix.endswith("/") else prefix + "/"


def require_empty(s3, location: str, error: str) -> None:
    """Athena never writes into a folder that already holds objects."""
    bucket, prefix = directory(location)
    try:
        page = s3.list_objects_v2(Bucket=bucket, Prefix=prefix, MaxKeys=1)
    except s3.exceptions.NoSuchBucket as exc:
        raise errors.QueryFailed(f"HIVE_FILESYSTEM_ERROR: The specified bucket does not exist: {bucket}") from exc
    if page.get("KeyCount", 0):
        raise errors.QueryFailed(error)


def write(con: duckdb.DuckDBPyConnection, s3, query: exp.Expression, location: str, name: str,
          work_dir: Path, ff: FileFormat, partitioned_by: list[str]) -> Written:
    """Runs the query and uploads its rows under `location` as `<name>_<n>[.gz]` files of
    the format (none when there are no rows), in `k=v/` folders for the partition columns."""
    sql = query.sql(dialect="duckdb")
    try:
        columns = [(n, t) for n, t, *_ in con.execute(f"DESCRIBE {sql}").fetchall()]
        rows = con.execute(f"SELECT count(*) FROM ({sql})").fetchone()[0]
    except duckdb.Error as exc:
        raise engine.engine_failure(exc, query) from exc
    bucket, prefix = directory(location)
    written = Written([], [], rows, columns)
    if rows == 0:
        return written
    with tempfile.TemporaryDirectory(dir=work_dir) as tmp:
        out = Path(tmp) / "out"
        options = file_formats.copy_options(ff)
        if partitioned_by:
            keys = ", ".join(f'"{k}"' for k in partitioned_by)
            options += f", PARTITION_BY ({keys}), FILENAME_PATTERN '{name}_{{i}}'"
            target = out
        else:
            out.mkdir()
            target = out / f"{name}_00000"
        try:
            con.execute(f"COPY ({sql}) TO '{target}' ({options})")
        except duckdb.Error as exc:
            raise engine.engine_failure(exc, query) from exc
        files = sorted(p for p in out.rglob("*") if p.is_file())
        seen: dict[str, list[str]] = {}
        for path in files:
            file_formats.finish(con, path, ff)
            relative = path.relative_to(out).as_posix()
            stem, _, base = relative.rpartition("/")
            key = prefix + (stem + "/" if stem else "") + base.split(".", 1)[0] + ff.extension
            s3.upload_file(str(path), bucket, key)
            written.uris.append(f"s3://{bucket}/{key}")
            folder = path.parent.relative_to(out).as_posix()
            if partitioned_by and folder not in seen:
                seen[folder] = [unquote(part.split("=", 1)[1]) for part in folder.split("/")]
                written.partitions.append((seen[folder], f"s3://{bucket}/{prefix}{folder}/"))
    LOG.debug("wrote %d files under %s", len(written.uris), location)
    return written
