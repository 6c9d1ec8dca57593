"""Where the lab's providers keep their state on disk, and how they write it.

Every provider of the extension keeps its state under one folder of LocalStack's volume,
`LOCALSTACK_VOLUME_DIR/lab-<service>/` (the lab always sets the volume: natively
`.lab/localstack`, in compose the `localstack-data` volume). Without a volume (a bare
LocalStack, e.g. LocalStack's recorded tests) each service gets one temporary folder for
the life of the process, so state is simply not kept.

Writers: `write_atomic` replaces a whole file (temporary file, fsync, rename, fsync of the
folder), so a crash leaves the old file or the new one, never a torn one; `fsync_dir`
makes a rename or a new file in a folder durable.
"""
from __future__ import annotations

import os
import tempfile
import threading
from pathlib import Path

from localstack import config

_temporary: dict[str, Path] = {}
_temporary_lock = threading.Lock()


def state_dir(service: str) -> Path:
    """`LOCALSTACK_VOLUME_DIR/lab-<service>` (created), or one temporary folder per service."""
    if config.VOLUME_DIR:
        folder = Path(config.VOLUME_DIR) / f"lab-{service}"
    else:
        with _temporary_lock:
            if service not in _temporary:
                _temporary[service] = Path(tempfile.mkdtemp(prefix=f"lab-{service}-"))
            folder = _temporary[service]
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def fsync_dir(path: Path) -> None:
    """Make the folder's entries (new files, renames) durable."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path: Path, data: bytes | str) -> None:
    """Replace `path` with `data`: on disk, whole, when this returns."""
    payload = data.encode() if isinstance(data, str) else data
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)
