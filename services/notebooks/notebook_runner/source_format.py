"""Databricks' notebook source format -> a list of cells.

A notebook exported as source (the `.py`/`.sql` files of Repos and `databricks workspace export
--format SOURCE`) is plain text:
- its first line is `# Databricks notebook source` (Python, R), `-- Databricks notebook source`
  (SQL) or `// Databricks notebook source` (Scala): the comment prefix tells the default language;
- cells are separated by a line `<prefix> COMMAND ----------`;
- a cell in another language than the default has every line prefixed `<prefix> MAGIC ` (an empty
  line is `<prefix> MAGIC` alone), and its first line is the magic: `%sql`, `%python`, `%md`,
  `%md-sandbox`, `%run ./other`, `%scala`, `%sh`, `%fs`, ...;
- a cell may start with `<prefix> DBTITLE 1,<title>`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

HEADERS = {"# Databricks notebook source": ("#", "python"),
           "-- Databricks notebook source": ("--", "sql"),
           "// Databricks notebook source": ("//", "scala")}
MAGIC_LANGUAGES = {"%python": "python", "%sql": "sql", "%md": "md", "%md-sandbox": "md", "%run": "run",
                   "%scala": "scala", "%r": "r", "%sh": "sh", "%fs": "fs", "%pip": "pip"}


class NotebookFormatError(ValueError):
    """The text is not a notebook in Databricks' source format."""


@dataclass(frozen=True)
class Cell:
    number: int      # 1-based, as the notebook UI counts them
    language: str    # python, sql, md, run, scala, r, sh, fs, pip
    source: str      # the cell's code without the magic line and the MAGIC prefixes
    title: str = ""  # from `DBTITLE 1,<title>`


@dataclass(frozen=True)
class Notebook:
    path: Path
    language: str    # the notebook's default language
    cells: tuple[Cell, ...]


def _unmagic(lines: list[str], prefix: str) -> list[str] | None:
    """The lines without `<prefix> MAGIC`, or None when the cell is not a magic cell."""
    magic = f"{prefix} MAGIC"
    if not lines or not lines[0].startswith(magic):
        return None
    out = []
    for line in lines:
        if line.startswith(magic + " "):
            out.append(line[len(magic) + 1:])
        elif line.rstrip() == magic:
            out.append("")
        else:  # a line without the prefix inside a magic cell: kept as written
            out.append(line)
    return out


def _cell(number: int, text: str, prefix: str, default: str) -> Cell | None:
    lines = text.strip("\n").split("\n")
    title = ""
    title_mark = f"{prefix} DBTITLE "
    if lines and lines[0].startswith(title_mark):
        title = lines[0][len(title_mark):].split(",", 1)[-1].strip()
        lines = lines[1:]
    if not any(line.strip() for line in lines):
        return None
    magic_lines = _unmagic(lines, prefix)
    if magic_lines is None:
        return Cell(number, default, "\n".join(lines).strip("\n") + "\n", title)
    first = magic_lines[0].strip()
    word = first.split(None, 1)[0] if first else ""
    if word not in MAGIC_LANGUAGES:
        raise NotebookFormatError(f"cell {number}: unknown magic {word or '(none)'!r}")
    language = MAGIC_LANGUAGES[word]
    rest = first[len(word):].strip()
    body = "\n".join(magic_lines[1:])
    if language == "run":
        body = rest  # `%run ./other [args]`: the body is the target
    elif rest:
        body = rest + "\n" + body  # `%sql SELECT 1` on the magic line itself
    return Cell(number, language, body.strip("\n") + "\n", title)


def parse(text: str, path: Path | str = "<notebook>") -> Notebook:
    """The cells of a notebook in source format; a file without the header is refused."""
    text = text.replace("\r\n", "\n").lstrip("\ufeff")
    first, _, rest = text.partition("\n")
    header = HEADERS.get(first.strip())
    if header is None:
        raise NotebookFormatError(f"{path}: first line is not a Databricks source header "
                                  f"({' / '.join(HEADERS)}): {first[:60]!r}")
    prefix, language = header
    separator = re.compile(rf"^{re.escape(prefix)} COMMAND -+[ \t]*$", re.MULTILINE)
    cells = []
    for chunk in separator.split(rest):
        cell = _cell(len(cells) + 1, chunk, prefix, language)
        if cell is not None:
            cells.append(cell)
    return Notebook(Path(path), language, tuple(cells))
