"""The Glue provider's stores on disk: one JSON file each, written whole then renamed (a crash
never leaves half a file), read back at start (an unreadable one is logged, not fatal)."""
from __future__ import annotations

import json
import logging
import os
from pathlib import Path

LOG = logging.getLogger(__name__)


def save(path: Path | None, data: dict) -> None:
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data))
    os.replace(tmp, path)


def load(path: Path | None, what: str) -> dict | None:
    """The file's data, or None when there is none or it cannot be read."""
    if path is None or not path.exists():
        return None
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        LOG.error("%s %s unreadable, starting empty: %s", what, path, exc)
        return None
