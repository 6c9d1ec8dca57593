"""Query history that survives a LocalStack restart, as Athena keeps it: each finished
execution is appended to LOCALSTACK_VOLUME_DIR/lab-athena/executions.jsonl (its
metadata; the rows stay in the OutputLocation's `<id>.csv`, where Athena keeps them
too, and GetQueryResults reads them back from there)."""
from __future__ import annotations

import json
import logging
import threading
from dataclasses import fields
from pathlib import Path

from lab_localstack.athena import results

LOG = logging.getLogger(__name__)
_SKIP = {"result", "connection", "restored", "trino"}


class ExecutionLog:
    def __init__(self, path: Path) -> None:
        self._path = path
        self._lock = threading.Lock()

    def append(self, execution) -> None:
        record = {f.name: getattr(execution, f.name) for f in fields(execution) if f.name not in _SKIP}
        if execution.result is not None:
            record["data_scanned"] = execution.result.data_scanned
            record["update_count"] = execution.result.update_count
            record["header_row"] = execution.result.header_row
        with self._lock:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            with open(self._path, "a", encoding="utf-8") as fh:
                fh.write(json.dumps(record) + "\n")

    def load(self, cls) -> list:
        """The executions recorded so far (oldest first), without their rows."""
        if not self._path.exists():
            return []
        names = {f.name for f in fields(cls)} - _SKIP
        out = []
        for line in self._path.read_text(encoding="utf-8").splitlines():
            try:
                record = json.loads(line)
            except ValueError:
                LOG.warning("skipping an unreadable line of %s", self._path)
                continue
            execution = cls(**{k: v for k, v in record.items() if k in names})
            execution.restored = {k: record.get(k) for k in ("data_scanned", "update_count", "header_row")}
            out.append(execution)
        return out


def parse_csv(text: str) -> list[list[str | None]]:
    """Athena's result CSV: every value quoted, NULL an empty unquoted field."""
    rows: list[list[str | None]] = []
    row: list[str | None] = []
    i, n = 0, len(text)
    while i < n:
        if text[i] == '"':
            j, value = i + 1, []
            while j < n:
                if text[j] == '"' and j + 1 < n and text[j + 1] == '"':
                    value.append('"')
                    j += 2
                elif text[j] == '"':
                    break
                else:
                    value.append(text[j])
                    j += 1
            row.append("".join(value))
            i = j + 1
        else:
            j = i
            while j < n and text[j] not in ",\n":
                j += 1
            row.append(text[i:j] or None)
            i = j
        if i < n and text[i] == ",":
            i += 1
            if i == n or text[i] == "\n":
                row.append(None)
        if i < n and text[i] == "\n":
            rows.append(row)
            row = []
            i += 1
    if row:
        rows.append(row)
    return rows


def result_from_files(csv_body: bytes, metadata_body: bytes, restored: dict) -> results.ResultSet:
    """A ResultSet rebuilt from `<id>.csv` and `<id>.csv.metadata`."""
    info = json.loads(metadata_body)["ColumnInfo"]
    text = csv_body.decode("utf-8")
    header = restored.get("header_row", True)
    rows = parse_csv(text)[1:] if header else [[line] for line in text.splitlines()]
    result = results.ResultSet([c["Name"] for c in info], [c["Type"] for c in info], rows, header_row=header)
    result.data_scanned = restored.get("data_scanned") or 0
    result.update_count = restored.get("update_count")
    return result
