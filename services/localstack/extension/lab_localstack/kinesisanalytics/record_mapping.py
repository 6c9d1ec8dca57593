"""Source records -> rows of an input in-application stream, by the input's InputSchema.

JSON: RecordRowPath selects the row object(s) (`$`, or `$.path[0:]` for an array of rows);
each RecordColumn's Mapping is a JSONPath (`$.a.b`, `$['a b']`, `$.a[0]`) into it; a missing
element is NULL. CSV: RecordRowDelimiter splits a record into rows, RecordColumnDelimiter
splits a row into columns, taken in the order of RecordColumns. Values are coerced to each
column's SqlType (sql_types.py). A record that is not valid JSON, or a value that cannot be
coerced, is not a row: it becomes an error_stream row (AWS's behaviour).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass

from lab_localstack.kinesisanalytics.error_stream import COERCION_ERROR, PARSE_ERROR, ErrorRow
from lab_localstack.kinesisanalytics.sql_types import CoercionError, SqlType, parse_type

_PATH_PART = re.compile(r"\.([^.\[\]]+)|\['([^']*)'\]|\[(\d+)\]|\[(\d+):\]")


class MappingError(ValueError):
    pass


def json_path(path: str) -> list:
    """Steps of a JSONPath: keys (str), indexes (int) and ('slice', n) for `[n:]`."""
    if not path or not path.startswith("$"):
        raise MappingError(f"JSONPath '{path}' must start with $")
    steps, position = [], 1
    for match in _PATH_PART.finditer(path, 1):
        if match.start() != position:
            raise MappingError(f"Invalid JSONPath '{path}'")
        key, quoted, index, sliced = match.groups()
        steps.append(key if key is not None else quoted if quoted is not None else
                     int(index) if index is not None else ("slice", int(sliced)))
        position = match.end()
    if position != len(path):
        raise MappingError(f"Invalid JSONPath '{path}'")
    return steps


def _walk(value, steps: list):
    for step in steps:
        if isinstance(step, str):
            value = value.get(step) if isinstance(value, dict) else None
        elif isinstance(step, int):
            value = value[step] if isinstance(value, list) and step < len(value) else None
        if value is None:
            return None
    return value


@dataclass(frozen=True)
class InputMapping:
    """How one input's records become rows (built from its InputSchema)."""

    format: str
    names: tuple[str, ...]
    types: tuple[SqlType, ...]
    paths: tuple[list, ...]
    row_path: list
    row_delimiter: str = "\n"
    column_delimiter: str = ","

    @classmethod
    def from_schema(cls, schema: dict) -> InputMapping:
        fmt = schema["RecordFormat"]
        params = fmt.get("MappingParameters") or {}
        columns = schema["RecordColumns"]
        names = tuple(c["Name"] for c in columns)
        types = tuple(parse_type(c["SqlType"]) for c in columns)
        if fmt["RecordFormatType"] == "JSON":
            row_path = (params.get("JSONMappingParameters") or {}).get("RecordRowPath", "$")
            paths = tuple(json_path(c.get("Mapping") or f"$.{c['Name']}") for c in columns)
            return cls("JSON", names, types, paths, json_path(row_path))
        csv = params.get("CSVMappingParameters") or {}
        return cls("CSV", names, types, tuple([] for _ in columns), [],
                   csv.get("RecordRowDelimiter", "\n"), csv.get("RecordColumnDelimiter", ","))

    def rows(self, data: bytes, rowtime_ms: int) -> tuple[list[tuple], list[ErrorRow]]:
        """The rows of one record and the errors it produced."""
        text = data.decode("utf-8", errors="replace")
        try:
            raw_rows = self._json_rows(text) if self.format == "JSON" else self._csv_rows(text)
        except ValueError as error:
            return [], [ErrorRow(PARSE_ERROR, f"Cannot parse record as {self.format}: {error}", text,
                                 rowtime_ms)]
        rows, errors = [], []
        for raw in raw_rows:
            try:
                rows.append(tuple(t.coerce(v) for t, v in zip(self.types, raw)))
            except CoercionError as error:
                errors.append(ErrorRow(COERCION_ERROR, str(error), text, rowtime_ms))
        return rows, errors

    def _json_rows(self, text: str) -> list[list]:
        document = json.loads(text)
        if self.row_path and isinstance(self.row_path[-1], tuple):
            container = _walk(document, self.row_path[:-1])
            items = container[self.row_path[-1][1]:] if isinstance(container, list) else []
        else:
            items = [_walk(document, self.row_path)]
        return [[_walk(item, path) for path in self.paths] for item in items if isinstance(item, dict)]

    def _csv_rows(self, text: str) -> list[list]:
        rows = []
        for line in text.split(self.row_delimiter):
            if not line.strip():
                continue
            fields = line.split(self.column_delimiter)
            fields += [None] * (len(self.names) - len(fields))
            rows.append([None if f is None or f == "" else f for f in fields[: len(self.names)]])
        return rows
