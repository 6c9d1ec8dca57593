"""The repository stands on its own: nothing in its code, tests or build files reads a
path outside the clone (a user's clone has no developers' `shared/` folder beside it)."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parents[1]
# ../shared, /work/..., the developers' reference notes: none belongs in the product.
OUTSIDE = re.compile(r"\.\./shared|/work/|\bshared/data\b|REFERENCE\.md")
CHECKED_SUFFIXES = {".py", ".sh", ".toml", ".yml", ".yaml", ".cfg", ".conf", ".json", ".ndjson", ".md",
                    ".js", ".txt", ""}


def tracked_files() -> list[Path]:
    out = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True).stdout
    return [REPO / name for name in out.decode().split("\0") if name]


def test_no_path_outside_the_repository():
    offenders = []
    for path in tracked_files():
        rel = path.relative_to(REPO)
        if rel.parts[:2] == ("tests", "data") or path == Path(__file__) or not path.is_file():
            continue
        if path.suffix not in CHECKED_SUFFIXES and path.name not in ("Makefile", "Dockerfile"):
            continue
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            if OUTSIDE.search(line):
                offenders.append(f"{rel}:{number}: {line.strip()}")
    assert not offenders, "paths outside the repository:\n" + "\n".join(offenders)


def test_every_test_data_file_has_its_source_and_licence():
    readme = (REPO / "tests" / "data" / "README.md").read_text()
    data = REPO / "tests" / "data"
    for path in data.rglob("*"):
        if path.is_file() and path.parent.name != "licenses" and path.name != "README.md":
            rel = path.relative_to(data)
            named = str(rel) in readme or f"{rel.parts[0]}/{rel.parts[1]}/" in readme
            assert named, f"tests/data/{rel} has no line in tests/data/README.md"
