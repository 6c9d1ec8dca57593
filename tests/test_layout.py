"""The README's Layout table is true (tests/tools/layout.py): every folder at the top level, in
services/ and in tests/ has a row saying where it runs, and no row names a folder that is gone.
The check can fail: a folder added to a synthetic tree without a row is reported."""
from __future__ import annotations

import pytest

from tests.tools.layout import ROOT, folders, layout_rows, problems, repository_files

pytestmark = pytest.mark.unit

README = (ROOT / "README.md").read_text()


def test_the_layout_table_names_every_folder():
    assert problems(repository_files(), README) == []


def test_every_row_says_where_it_runs():
    rows = layout_rows(README)
    assert rows and all(paths and runs_in for paths, runs_in in rows)


def synthetic_readme(rows: str) -> str:
    return ("# x\n\n### Layout\n\n| Path | What it holds | Runs in |\n|---|---|---|\n" + rows
            + "\n### Dependencies\n\n| `not/a/row/` | - | - |\n")


def test_a_folder_without_a_row_fails_and_a_row_without_a_folder_too():
    files = ["README.md", "etl/handler.py", "services/apache/httpd.conf", "services/apache/shop/index.html",
             "tests/etl/test_x.py", "tests/conftest.py"]
    assert folders(files) == {"etl/", "services/", "services/apache/", "tests/", "tests/etl/"}
    readme = synthetic_readme("| `etl/` | ETL | `.venv` |\n| `services/`, `services/apache/` | s | image |\n"
                              "| `tests/`, `tests/etl/` | t | `.venv` |\n")
    assert problems(files, readme) == []
    added = [*files, "services/newthing/thing.py"]
    assert problems(added, readme) == ["services/newthing/: no row in the README's Layout table"]
    gone = [f for f in files if not f.startswith("tests/etl/")]
    assert problems(gone, readme) == ["tests/etl/: a row, but no such folder"]


def test_a_row_must_say_where_it_runs():
    readme = synthetic_readme("| `etl/` | ETL |  |\n")
    assert problems(["etl/a.py"], readme) == ["row ['etl/']: empty \"Runs in\""]
    with pytest.raises(ValueError, match="Runs in"):
        layout_rows("### Layout\n\n| Path | What |\n|---|---|\n| `etl/` | x |\n")
