"""UNLOAD (SELECT ...) TO 's3://...' WITH (format = 'PARQUET' | 'TEXTFILE' | 'JSON' | 'ORC',
compression = ..., field_delimiter = ..., partitioned_by = ARRAY[...]): the query's rows
written in that format (file_formats.py; AVRO fails with a reason) under an empty location
(Athena refuses a location that holds objects, except when partitioning), with no table;
the files written are the query's data manifest."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import sqlglot
from sqlglot import exp
from sqlglot.tokens import TokenType

from lab_localstack.athena import engine, errors, file_formats, output_files
from lab_localstack.athena.results import ResultSet, text_result

_HEAD = re.compile(r"^\s*UNLOAD\s*\(", re.IGNORECASE)
_TAIL = re.compile(r"^\s*TO\s+'(?P<to>(?:[^']|'')*)'\s*(?:WITH\s*\((?P<props>.*)\))?\s*;?\s*$",
                   re.IGNORECASE | re.DOTALL)


@dataclass
class Unload:
    query: exp.Expression
    location: str
    format: str = "PARQUET"
    compression: str | None = None
    partitioned_by: list[str] = field(default_factory=list)
    delimiter: str | None = None


def is_unload(sql: str) -> bool:
    return bool(_HEAD.match(sql))


def _closing(sql: str, start: int) -> int:
    """Index of the parenthesis closing the one at `start`, by sqlglot's tokens (so that
    parentheses in strings, quoted names and comments do not count)."""
    try:
        tokens = sqlglot.Dialect.get_or_raise("athena").tokenize(sql[start:])
    except sqlglot.errors.TokenError as exc:
        raise errors.QueryFailed(f"line 1:1: {exc}") from exc
    depth = 0
    for token in tokens:
        if token.token_type == TokenType.L_PAREN:
            depth += 1
        elif token.token_type == TokenType.R_PAREN:
            depth -= 1
            if depth == 0:
                return start + token.start
    raise errors.QueryFailed("line 1:1: mismatched input '<EOF>'. Expecting: ')'")


def parse(sql: str) -> Unload:
    """The UNLOAD's query, destination and properties; QueryFailed if malformed."""
    head = _HEAD.match(sql)
    close = _closing(sql, head.end() - 1)
    query = engine.parse(sql[head.end():close])
    if not isinstance(query, exp.Query):
        raise errors.QueryFailed("line 1:8: UNLOAD needs a SELECT query")
    tail = _TAIL.match(sql[close + 1:])
    if not tail:
        raise errors.QueryFailed("line 1:1: mismatched input. Expecting: UNLOAD (query) TO 's3://...' "
                                 "WITH (property = value, ...)")
    out = Unload(query, tail.group("to").replace("''", "'"))
    if tail.group("props"):
        try:
            props = sqlglot.parse_one(f"CREATE TABLE t WITH ({tail.group('props')}) AS SELECT 1", read="athena")
        except sqlglot.errors.ParseError as exc:
            raise errors.QueryFailed(f"line 1:1: invalid UNLOAD properties: {tail.group('props')}") from exc
        for prop in props.args["properties"].expressions:
            if isinstance(prop, exp.FileFormatProperty):
                out.format = prop.this.name.upper()
            elif isinstance(prop, exp.PartitionedByProperty):
                out.partitioned_by = [e.name.lower() for e in prop.this.expressions]
            elif prop.name.lower() == "compression":
                out.compression = prop.args["value"].name
            elif prop.name.lower() == "field_delimiter":
                out.delimiter = prop.args["value"].name
            else:
                raise errors.QueryFailed(f"INVALID_TABLE_PROPERTY: UNLOAD property '{prop.name}' is not "
                                         "supported by the lab (format, compression, field_delimiter, "
                                         "partitioned_by)")
    return out


def run(con: duckdb.DuckDBPyConnection, clients: engine.Clients, sql: str, database: str, query_id: str,
        work_dir: Path) -> ResultSet:
    """Runs the UNLOAD; the result's `data_files` are the S3 URIs written."""
    unload = parse(sql)
    ff = file_formats.resolve(unload.format, unload.compression, unload.delimiter)
    if not unload.partitioned_by:
        # Athena's own wording (quoted in aws/aws-sdk-pandas#1200) names no location
        output_files.require_empty(clients.s3, unload.location, "HIVE_PATH_ALREADY_EXISTS: Target directory "
                                   "already exists")
    query = engine.analysed(con, clients, unload.query, database).query
    written = output_files.write(con, clients.s3, query, unload.location, query_id, work_dir, ff,
                                 unload.partitioned_by)
    result = text_result("rows", [])
    result.update_count = written.rows
    result.data_files = written.uris
    return result
