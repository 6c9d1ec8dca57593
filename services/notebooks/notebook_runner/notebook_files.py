"""Notebooks as users have them, besides Databricks' source format (source_format.py):

- the plain export: text whose cells each begin with a magic line (`%sql`, `%python`, `%md`,
  `%pip install ...`, `%sh`, `%run ./x`, ...), with no header and no `COMMAND` separators; text
  before the first magic is a cell in the file's language (`.sql` SQL, `.py` Python);
- `.ipynb` from Databricks: JSON cells, code cells in the notebook's language
  (`metadata["application/vnd.databricks.v1+notebook"]["language"]`, else the kernel's) unless
  their first line is a magic, markdown cells as `%md`.

In both, a cell whose every line is `pip install ...` (how an exported `%pip` cell can read) is
a `%pip` cell. `read()` takes any of the three; `notebooks_in()` finds them in a folder.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

from notebook_runner.source_format import (
    HEADERS,
    MAGIC_LANGUAGES,
    Cell,
    Notebook,
    NotebookFormatError,
    parse,
)

SUFFIX_LANGUAGES = {".py": "python", ".sql": "sql", ".scala": "scala", ".r": "r"}
_MAGIC_LINE = re.compile(r"^(%[a-z][a-z-]*)(?:[ \t]+(.*))?$")
_PIP_LINE = re.compile(r"^\s*(?:%pip|pip)\s+install\s+")


def _magic_cell(number: int, lines: list[str], default: str) -> Cell | None:
    """A cell from its lines: a leading magic line picks its language (else `default`)."""
    while lines and not lines[0].strip():
        lines = lines[1:]
    if not lines:
        return None
    match = _MAGIC_LINE.match(lines[0].rstrip())
    language, body = default, lines
    if match and match.group(1) in MAGIC_LANGUAGES:
        language = MAGIC_LANGUAGES[match.group(1)]
        rest = (match.group(2) or "").strip()
        body = [rest] if language == "run" else ([rest] if rest else []) + lines[1:]
    elif match:
        raise NotebookFormatError(f"cell {number}: unknown magic {match.group(1)!r}")
    text = "\n".join(body).strip("\n")
    if not text.strip():
        return None
    if language == default and all(_PIP_LINE.match(line) for line in text.splitlines() if line.strip()):
        language = "pip"
        text = "\n".join(re.sub(r"^\s*%?pip\s+", "", line) for line in text.splitlines() if line.strip())
    return Cell(number, language, text + "\n")


def parse_plain(text: str, path: Path) -> Notebook:
    """A plain export: a new cell at each magic line."""
    default = SUFFIX_LANGUAGES.get(path.suffix.lower(), "python")
    chunks: list[list[str]] = [[]]
    for line in text.replace("\r\n", "\n").lstrip("\ufeff").split("\n"):
        match = _MAGIC_LINE.match(line.rstrip())
        if match and (match.group(1) in MAGIC_LANGUAGES) and any(s.strip() for s in chunks[-1]):
            chunks.append([])
        chunks[-1].append(line)
    cells = []
    for chunk in chunks:
        cell = _magic_cell(len(cells) + 1, chunk, default)
        if cell is not None:
            cells.append(cell)
    if not cells:
        raise NotebookFormatError(f"{path}: no cells")
    return Notebook(path, default, tuple(cells))


def parse_ipynb(text: str, path: Path) -> Notebook:
    try:
        data = json.loads(text)
        raw_cells = data["cells"]
    except (ValueError, KeyError, TypeError) as error:
        raise NotebookFormatError(f"{path}: not a Jupyter notebook ({error})") from error
    meta = data.get("metadata") or {}
    language = ((meta.get("application/vnd.databricks.v1+notebook") or {}).get("language")
                or (meta.get("language_info") or {}).get("name") or "python").lower()
    cells = []
    for raw in raw_cells:
        source = raw.get("source") or ""
        lines = ("".join(source) if isinstance(source, list) else str(source)).split("\n")
        if raw.get("cell_type") == "markdown":
            cell = Cell(len(cells) + 1, "md", "\n".join(lines).strip("\n") + "\n") if "".join(lines).strip() \
                else None
        elif raw.get("cell_type") == "code":
            cell = _magic_cell(len(cells) + 1, lines, language)
        else:
            cell = None
        if cell is not None:
            cells.append(cell)
    return Notebook(path, language, tuple(cells))


def read(path: Path) -> Notebook:
    """Any of the three formats, told apart by the file's first line and its suffix."""
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() == ".ipynb":
        return parse_ipynb(text, path)
    first = text.lstrip("\ufeff").partition("\n")[0].strip()
    if first in HEADERS:
        return parse(text, path)
    return parse_plain(text, path)


def _is_notebook(path: Path) -> bool:
    if path.suffix.lower() == ".ipynb":
        return True
    if path.suffix.lower() not in SUFFIX_LANGUAGES:
        return False
    text = path.read_text(encoding="utf-8", errors="replace")
    if text.lstrip("\ufeff").partition("\n")[0].strip() in HEADERS:
        return True
    # A plain export: a line that is a known magic (no Python or SQL file has one)
    return any((m := _MAGIC_LINE.match(line.rstrip())) and m.group(1) in MAGIC_LANGUAGES
               for line in text.splitlines())


def notebooks_in(folder: Path) -> list[Path]:
    """The notebooks of a folder in name order (users number them): Databricks source files,
    plain exports (a line of theirs is a magic) and `.ipynb` files."""
    found = [path for path in sorted(folder.iterdir()) if path.is_file() and _is_notebook(path)]
    if not found:
        raise NotebookFormatError(f"no notebooks in {folder} (Databricks source, plain export or .ipynb)")
    return found
