"""A team's ETL as the deployable zip the lab's Lambda runs.

A zip is taken as it is (what `aws lambda update-function-code --zip-file` would upload). A
folder is laid over the lab's own ETL zip (etl.package: the `etl` package, dateutil,
maxminddb): its files are added at the zip's root and replace the lab's where the names
match, so a team can change a module of `etl/` or add a handler that wraps the lab's.
"""
from __future__ import annotations

from pathlib import Path

SKIPPED_PARTS = {"__pycache__", ".pytest_cache"}


def overlay_files(folder: Path) -> dict[str, Path]:
    """Archive name -> file for every file of `folder` (no caches, no compiled files)."""
    return {path.relative_to(folder).as_posix(): path for path in sorted(folder.rglob("*"))
            if path.is_file() and not SKIPPED_PARTS & set(path.parts) and path.suffix not in (".pyc", ".pyo")}


def build(etl: Path, out_dir: Path) -> Path:
    """The zip to deploy for `etl` (a zip: itself; a folder: built into `out_dir`)."""
    if etl.is_file():
        return etl
    from etl import package

    output = out_dir / "team_ETL.zip"
    package.build_zip(output, overlay=overlay_files(etl))
    return output
