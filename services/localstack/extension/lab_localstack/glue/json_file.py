"""The Glue provider's stores on disk: one JSON file each, written whole, fsync'd and renamed
(lab_localstack.state_files: a crash never leaves half a file), read back at start (an
unreadable one is logged, not fatal)."""
from __future__ import annotations

import json
import logging
from pathlib import Path

from lab_localstack.state_files import write_atomic

LOG = logging.getLogger(__name__)


def save(path: Path | None, data: dict) -> None:
    if path is None:
        return
    write_atomic(path, json.dumps(data))


def load(path: Path | None, what: str) -> dict | None:
    """The file's data, or None when there is none or it cannot be read."""
    if path is None or not path.exists():
        return None
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        LOG.error("%s %s unreadable, starting empty: %s", what, path, exc)
        return None
