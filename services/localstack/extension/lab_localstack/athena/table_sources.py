"""A Glue table as a DuckDB view over local copies of its S3 objects, read with its
SerDe's semantics:
- OpenX / Hive JSON SerDe: JSON Lines (GZIP or not, any extension); keys matched
  case-insensitively (unless `case.insensitive`='false'), `mapping.<column>` names the JSON key,
  `ignore.malformed.json` turns a bad line into a row of NULLs (else the query fails);
- Parquet: columns matched case-insensitively by name;
- RegexSerDe: `input.regex` must match the whole line (else every column is NULL);
- Glue's Grok SerDe: `input.format` (grok.py), matched anywhere in the line;
- LazySimpleSerDe / OpenCSVSerde: delimited text (`field.delim`, `separatorChar`,
  `skip.header.line.count`);
then each column is cast to its Glue type and the partition values are added.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from lab_localstack.athena import grok, types
from lab_localstack.athena.errors import QueryFailed

JSON_SERDES = ("org.openx.data.jsonserde.JsonSerDe", "org.apache.hive.hcatalog.data.JsonSerDe",
               "org.apache.hadoop.hive.serde2.JsonSerDe")
REGEX_SERDES = ("org.apache.hadoop.hive.serde2.RegexSerDe", "org.apache.hadoop.hive.contrib.serde2.RegexSerDe")
GROK_SERDE = "com.amazonaws.glue.serde.GrokSerDe"
OPENCSV_SERDE = "org.apache.hadoop.hive.serde2.OpenCSVSerde"


@dataclass(frozen=True)
class PartitionFiles:
    values: list[str | None]   # the partition's values ([] for an unpartitioned table; None:
    files: list[Path]          # several partitions read as one, their values unused by the query)


def q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _file_list(files: list[Path]) -> str:
    return "[" + ", ".join(lit(str(f)) for f in files) + "]"


def storage_format(table: dict) -> str:
    """json, parquet, regex, grok, opencsv or text."""
    sd = table.get("StorageDescriptor") or {}
    serde = (sd.get("SerdeInfo") or {}).get("SerializationLibrary") or ""
    fmt = f"{serde} {sd.get('InputFormat') or ''}".lower()
    if serde in JSON_SERDES or "json" in fmt:
        return "json"
    if "parquet" in fmt:
        return "parquet"
    if serde in REGEX_SERDES:
        return "regex"
    if serde == GROK_SERDE:
        return "grok"
    if serde == OPENCSV_SERDE:
        return "opencsv"
    if "orc" in fmt or "avro" in fmt:
        raise QueryFailed(f"NOT_SUPPORTED: The lab does not read this table's format ({serde or fmt.strip()})")
    return "text"


def _cast(expr: str, glue_type: str) -> str:
    duck = types.glue_to_duckdb(glue_type)
    if duck == "TIMESTAMP":   # ISO 8601 with an offset is an instant: to UTC, as the SerDes do
        return f"TRY_CAST(TRY_CAST({expr} AS TIMESTAMPTZ) AS TIMESTAMP)"
    return f"TRY_CAST({expr} AS {duck})"


_KEYS_CACHE: dict[str, list[str]] = {}     # local file (named by S3 ETag) -> its JSON keys


def _json_keys(con: duckdb.DuckDBPyConnection, files: list[Path], ignore: bool) -> list[str]:
    """Every key of the files' JSON objects (one pass per file, remembered)."""
    keys: dict[str, None] = {}
    for f in files:
        if str(f) not in _KEYS_CACHE:
            source = f"read_ndjson_objects({lit(str(f))}, ignore_errors={'true' if ignore else 'false'})"
            try:
                rows = con.execute(f"SELECT DISTINCT unnest(json_keys(json)) FROM {source}").fetchall()
            except duckdb.InvalidInputException as exc:
                raise QueryFailed(f"HIVE_CURSOR_ERROR: Row is not a valid JSON Object - JSONException: "
                                  f"{str(exc).splitlines()[0]}", error_type=1001) from exc
            _KEYS_CACHE[str(f)] = sorted(r[0] for r in rows)
        keys.update(dict.fromkeys(_KEYS_CACHE[str(f)]))
    return list(keys)


def _json_path(key: str) -> str:
    return lit("$." + '"' + key.replace('"', '\\"') + '"')


def _json_select(con: duckdb.DuckDBPyConnection, files: list[Path], columns: list[dict], params: dict) -> str:
    """OpenX/Hive JSON. When every column's key has one spelling in the data, DuckDB's
    JSON reader reads just those keys; when a key comes in several cases (Host, host),
    each line is read as an object and the spellings are coalesced."""
    ignore = str(params.get("ignore.malformed.json", "false")).lower() == "true"
    insensitive = str(params.get("case.insensitive", "true")).lower() != "false"
    by_lower: dict[str, list[str]] = {}
    for key in _json_keys(con, files, ignore):
        by_lower.setdefault(key.lower() if insensitive else key, []).append(key)
    wanted = []
    for col in columns:
        name = col["Name"]
        key = params.get(f"mapping.{name}") or params.get(f"mapping.{name.lower()}") or name
        wanted.append((col, by_lower.get(key.lower() if insensitive else key, [])))
    flag = "true" if ignore else "false"
    chosen = [variants[0] for _, variants in wanted if len(variants) == 1]
    if all(len(v) <= 1 for _, v in wanted) and len({k.lower() for k in chosen}) == len(chosen) and chosen:
        spec = "{" + ", ".join(f"{lit(k)}: {lit('JSON' if types.is_nested(c['Type']) else 'VARCHAR')}"
                               for c, v in wanted if v for k in v) + "}"
        exprs = [f"{_cast(q(v[0]) if v else 'NULL', c['Type'])} AS {q(c['Name'])}" for c, v in wanted]
        return (f"SELECT {', '.join(exprs)} FROM read_json({_file_list(files)}, format='newline_delimited', "
                f"columns={spec}, ignore_errors={flag})")
    exprs = []
    for col, variants in wanted:
        fn = "json_extract" if types.is_nested(col["Type"]) else "json_extract_string"
        paths = [f"{fn}(json, {_json_path(v)})" for v in variants]
        value = "NULL" if not paths else paths[0] if len(paths) == 1 else f"coalesce({', '.join(paths)})"
        exprs.append(f"{_cast(value, col['Type'])} AS {q(col['Name'])}")
    source = f"read_ndjson_objects({_file_list(files)}, ignore_errors={flag})"
    return f"SELECT {', '.join(exprs) or 'NULL AS _empty'} FROM {source}"


def _parquet_select(con: duckdb.DuckDBPyConnection, files: list[Path], columns: list[dict]) -> str:
    source = f"read_parquet({_file_list(files)}, union_by_name=true)"
    try:
        present = {r[0].lower(): r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()}
    except duckdb.Error as exc:
        raise QueryFailed(f"HIVE_BAD_DATA: not a Parquet file: {str(exc).splitlines()[0]}", error_type=1001) from exc
    exprs = []
    for col in columns:
        found = present.get(col["Name"].lower())
        value = q(found) if found else "NULL"
        exprs.append(f"CAST({value} AS {types.glue_to_duckdb(col['Type'])}) AS {q(col['Name'])}")
    return f"SELECT {', '.join(exprs)} FROM {source}"


def _lines_source(files: list[Path], skip: int = 0, field_delim: str = "") -> str:
    """Each line whole (the CSV reader's delimiter is one the table's fields do not use)."""
    sep = "chr(2)" if field_delim == "\x01" else "chr(1)"
    return (f"read_csv({_file_list(files)}, columns={{'line': 'VARCHAR'}}, delim={sep}, quote='', escape='', "
            f"header=false, skip={skip}, strict_mode=false)")


def _regex_select(con: duckdb.DuckDBPyConnection, files: list[Path], columns: list[dict], params: dict,
                  grok_expression: bool = False) -> str:
    """RegexSerDe: the whole line must match. Grok SerDe: the expression may match anywhere."""
    if grok_expression:
        if not params.get("input.format"):
            raise QueryFailed("HIVE_INVALID_METADATA: This table's GrokSerDe has no input.format")
        regex = grok.to_regex(params["input.format"], params.get("input.grokCustomPatterns"))
    else:
        regex = params.get("input.regex")
    if not regex:
        raise QueryFailed("HIVE_INVALID_METADATA: This table's RegexSerDe has no input.regex")
    try:
        con.execute("SELECT regexp_matches('', ?)", [regex])
    except duckdb.Error as exc:
        raise QueryFailed(f"NOT_SUPPORTED: input.regex is not supported by the lab's engine (RE2): "
                          f"{str(exc).splitlines()[0]}") from exc
    names = [f"g{i}" for i in range(len(columns))]
    exprs = [f"CASE WHEN _m THEN {_cast(f'_g.{n}', col['Type'])} END AS {q(col['Name'])}"
             for n, col in zip(names, columns)]
    group_list = "[" + ", ".join(lit(n) for n in names) + "]"
    matcher = "regexp_matches" if grok_expression else "regexp_full_match"
    return (f"SELECT {', '.join(exprs)} FROM (SELECT {matcher}(line, {lit(regex)}) AS _m, "
            f"regexp_extract(line, {lit(regex)}, {group_list}) AS _g FROM {_lines_source(files)})")


def _delimited_select(files: list[Path], columns: list[dict], params: dict, table_params: dict,
                      opencsv: bool) -> str:
    skip = int(table_params.get("skip.header.line.count", "0") or 0)
    if opencsv:
        delim, quote, escape = (params.get("separatorChar", ","), params.get("quoteChar", '"'),
                                params.get("escapeChar", "\\"))
    else:
        delim = params.get("field.delim") or params.get("serialization.format") or "\x01"
        delim = "\x01" if delim == "1" else delim
        quote, escape = "", params.get("escape.delim", "")
        if not escape:
            return _split_lines_select(files, columns, delim, skip)
    cols = "{" + ", ".join(f"{lit(f'c{i}')}: 'VARCHAR'" for i in range(len(columns))) + "}"
    source = (f"read_csv({_file_list(files)}, columns={cols}, delim={lit(delim)}, quote={lit(quote)}, "
              f"escape={lit(escape)}, header=false, skip={skip}, null_padding=true, strict_mode=false, "
              "nullstr='\\N')")
    exprs = [f"{_cast(f'c{i}', col['Type'])} AS {q(col['Name'])}" for i, col in enumerate(columns)]
    return f"SELECT {', '.join(exprs)} FROM {source}"


def _split_lines_select(files: list[Path], columns: list[dict], delim: str, skip: int) -> str:
    """LazySimpleSerDe without escapes, as Hive reads it: each line split on the delimiter,
    missing trailing fields NULL, extra fields ignored, `\\N` NULL (DuckDB's CSV reader
    instead refuses files whose lines have different field counts)."""
    hive_null = lit("\\N")
    exprs = [f"{_cast(f'NULLIF(_f[{i + 1}], {hive_null})', col['Type'])} AS {q(col['Name'])}"
             for i, col in enumerate(columns)]
    return (f"SELECT {', '.join(exprs)} FROM (SELECT string_split(line, {lit(delim)}) AS _f "
            f"FROM {_lines_source(files, skip, delim)})")


def _select(con: duckdb.DuckDBPyConnection, table: dict, files: list[Path]) -> str:
    sd = table.get("StorageDescriptor") or {}
    columns = sd.get("Columns") or []
    params = (sd.get("SerdeInfo") or {}).get("Parameters") or {}
    fmt = storage_format(table)
    if fmt == "json":
        return _json_select(con, files, columns, params)
    if fmt == "parquet":
        return _parquet_select(con, files, columns)
    if fmt in ("regex", "grok"):
        return _regex_select(con, files, columns, params, grok_expression=fmt == "grok")
    return _delimited_select(files, columns, params, table.get("Parameters") or {}, fmt == "opencsv")


def _empty_select(table: dict) -> str:
    cols = (table.get("StorageDescriptor") or {}).get("Columns", []) + (table.get("PartitionKeys") or [])
    exprs = [f"CAST(NULL AS {types.glue_to_duckdb(c['Type'])}) AS {q(c['Name'])}" for c in cols]
    return f"SELECT {', '.join(exprs) or 'NULL AS _empty'} WHERE false"


def create_view(con: duckdb.DuckDBPyConnection, schema: str, name: str, table: dict,
                partitions: list[PartitionFiles]) -> None:
    """CREATE VIEW schema.name over the table's files, partition columns included."""
    keys = table.get("PartitionKeys") or []
    selects = []
    for part in partitions:
        if not part.files:
            continue
        consts = [f"{_cast('NULL' if v is None else lit(v), k['Type'])} AS {q(k['Name'])}"
                  for k, v in zip(keys, part.values)]
        body = _select(con, table, part.files)
        selects.append(f"SELECT *{''.join(', ' + c for c in consts)} FROM ({body})" if consts else body)
    sql = " UNION ALL ".join(f"({s})" for s in selects) if selects else _empty_select(table)
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {q(schema)}")
    con.execute(f"CREATE OR REPLACE VIEW {q(schema)}.{q(name)} AS {sql}")
