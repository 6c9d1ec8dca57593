"""The README's Layout table is the map of the repository: one row for every folder at the top
level, in `services/` and in `tests/`, each with what it holds and where it runs ("Runs in").

  .venv/bin/python -m tests.tools.layout     # the folders without a row, and rows of gone folders

The folders are the ones git tracks or would track (untracked but not ignored files count, so
a new folder needs its row before its first commit); tests/test_layout.py holds the suite to it.
"""
from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MAPPED_PARENTS = ("services", "tests")   # their sub-folders get rows too
CODE = re.compile(r"`([^`]+)`")


def folders(files: Iterable[str]) -> set[str]:
    """The folders the map must name (`etl/`, `services/apache/`, ...), from file paths
    relative to the repository's root."""
    found = set()
    for path in files:
        parts = path.split("/")
        if len(parts) < 2:
            continue
        found.add(parts[0] + "/")
        if parts[0] in MAPPED_PARENTS and len(parts) > 2:
            found.add(f"{parts[0]}/{parts[1]}/")
    return found


def repository_files(root: Path = ROOT) -> list[str]:
    """What git tracks, and what it would track (untracked files that are not ignored)."""
    out = subprocess.run(["git", "-C", str(root), "ls-files", "--cached", "--others", "--exclude-standard"],
                         capture_output=True, text=True, check=True).stdout
    return [line for line in out.splitlines() if line]


def layout_rows(readme: str) -> list[tuple[list[str], str]]:
    """(the folders a row names, its "Runs in" cell) for each row of the Layout table."""
    section = readme.split("### Layout", 1)[1].split("\n### ", 1)[0]
    lines = [line for line in section.splitlines() if line.startswith("|")]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    if "Runs in" not in header:
        raise ValueError("the Layout table has no \"Runs in\" column")
    runs_in = header.index("Runs in")
    rows = []
    for line in lines[2:]:
        cells = [cell.strip() for cell in line.strip().strip("|").split(" | ")]
        paths = [p for p in CODE.findall(cells[0]) if p.endswith("/")]
        rows.append((paths, cells[runs_in] if len(cells) > runs_in else ""))
    return rows


def problems(files: Iterable[str], readme: str) -> list[str]:
    """What makes the map untrue: folders without a row, rows naming no folder there is,
    rows that say nothing about where they run."""
    present = folders(files)
    rows = layout_rows(readme)
    named = {path for paths, _ in rows for path in paths}
    found = [f"{folder}: no row in the README's Layout table" for folder in sorted(present - named)]
    found += [f"{path}: a row, but no such folder" for path in sorted(named - present)]
    found += [f"row {paths}: empty \"Runs in\"" for paths, runs_in in rows if not runs_in]
    return found


def main() -> int:
    found = problems(repository_files(), (ROOT / "README.md").read_text())
    print("\n".join(found) if found else "the Layout table names every folder")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
