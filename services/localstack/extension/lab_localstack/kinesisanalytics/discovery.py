"""DiscoverInputSchema: an InputSchema inferred from live records of a stream (or an S3 object).

JSON records give one column per leaf element (Mapping `$.a.b`), named as the element;
strings become VARCHAR(n) with n the next power of two of the longest value (AWS's discovered
schemas read e.g. VARCHAR(4) for ticker symbols and VARCHAR(16) for IPv4 addresses), whole
numbers INTEGER (BIGINT beyond 32 bits), other numbers REAL, booleans BOOLEAN. Records that
are not JSON are read as CSV (comma-separated, one row per line, columns COL_1, COL_2, ...).
"""
from __future__ import annotations

import json

MAX_RECORDS = 100


def _width(longest: int) -> int:
    width = 1
    while width < max(longest, 1):
        width *= 2
    return width


def _leaves(value, path: str, out: dict) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _leaves(item, f"{path}.{key}" if key.isidentifier() else f"{path}['{key}']", out)
    else:
        out[path] = value


def _sql_type(values: list) -> str:
    present = [v for v in values if v is not None]
    if present and all(isinstance(v, bool) for v in present):
        return "BOOLEAN"
    if present and all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        return "INTEGER" if all(-2**31 <= v < 2**31 for v in present) else "BIGINT"
    if present and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in present):
        return "REAL"
    longest = max((len(v if isinstance(v, str) else json.dumps(v)) for v in present), default=1)
    return f"VARCHAR({_width(longest)})"


def _name(path: str) -> str:
    return path.split(".")[-1].split("['")[-1].rstrip("']")


def discover(records: list[bytes]) -> dict:
    """The DiscoverInputSchema response for these records (ValueError when there are none)."""
    if not records:
        raise ValueError("No data found in the streaming source to discover a schema from.")
    texts = [r.decode("utf-8", "replace") for r in records[:MAX_RECORDS]]
    try:
        documents = [json.loads(t) for t in texts]
        if not all(isinstance(d, dict) for d in documents):
            raise ValueError
    except ValueError:
        return _discover_csv(texts)
    leaves = []
    for document in documents:
        flat: dict = {}
        _leaves(document, "$", flat)
        leaves.append(flat)
    paths = list(dict.fromkeys(p for flat in leaves for p in flat))
    columns = [{"Name": _name(p), "Mapping": p, "SqlType": _sql_type([flat.get(p) for flat in leaves])}
               for p in paths]
    return {
        "InputSchema": {"RecordFormat": {"RecordFormatType": "JSON",
                                         "MappingParameters": {"JSONMappingParameters": {"RecordRowPath": "$"}}},
                        "RecordEncoding": "UTF-8", "RecordColumns": columns},
        "ParsedInputRecords": [[None if flat.get(p) is None else str(flat.get(p)) for p in paths]
                               for flat in leaves],
        "RawInputRecords": texts,
    }


def _discover_csv(texts: list[str]) -> dict:
    rows = [line.split(",") for text in texts for line in text.splitlines() if line.strip()]
    width = max(len(r) for r in rows)
    columns = []
    for i in range(width):
        values = [r[i] for r in rows if i < len(r)]
        typed = []
        for value in values:
            try:
                typed.append(json.loads(value))
            except ValueError:
                typed.append(value)
        columns.append({"Name": f"COL_{i + 1}", "SqlType": _sql_type(typed)})
    return {
        "InputSchema": {"RecordFormat": {"RecordFormatType": "CSV", "MappingParameters": {"CSVMappingParameters": {
            "RecordRowDelimiter": "\n", "RecordColumnDelimiter": ","}}},
            "RecordEncoding": "UTF-8", "RecordColumns": columns},
        "ParsedInputRecords": rows,
        "RawInputRecords": texts,
    }
