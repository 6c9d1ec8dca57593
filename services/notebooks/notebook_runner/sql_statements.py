"""An SQL cell -> its statements, split on `;` outside quotes and comments.

A Databricks `%sql` cell may hold several statements; `spark.sql()` takes one at a time.
Quotes ('...', "...", `...`, with backslash escapes as Spark SQL reads them), `-- line` and
`/* block */` comments are skipped over; a statement that is only comments is dropped.
"""
from __future__ import annotations


def _skip_quoted(text: str, i: int) -> int:
    quote = text[i]
    i += 1
    while i < len(text):
        if text[i] == "\\" and quote != "`":
            i += 2
            continue
        if text[i] == quote:
            return i + 1
        i += 1
    return i


def _code_only(statement: str) -> str:
    """The statement without its comments (to tell an empty one)."""
    out, i = [], 0
    while i < len(statement):
        if statement.startswith("--", i):
            end = statement.find("\n", i)
            i = len(statement) if end < 0 else end
        elif statement.startswith("/*", i):
            end = statement.find("*/", i + 2)
            i = len(statement) if end < 0 else end + 2
        else:
            out.append(statement[i])
            i += 1
    return "".join(out)


def split(text: str) -> list[str]:
    statements, start, i = [], 0, 0
    while i < len(text):
        char = text[i]
        if char in "'\"`":
            i = _skip_quoted(text, i)
        elif text.startswith("--", i):
            end = text.find("\n", i)
            i = len(text) if end < 0 else end
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = len(text) if end < 0 else end + 2
        elif char == ";":
            statements.append(text[start:i])
            start = i = i + 1
        else:
            i += 1
    statements.append(text[start:])
    return [s.strip() for s in statements if _code_only(s).strip()]
