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


def _comment_end(text: str, i: int) -> int | None:
    """Where the comment starting at i ends, or None when no comment starts there."""
    if text.startswith("--", i):
        end = text.find("\n", i)
        return len(text) if end < 0 else end
    if text.startswith("/*", i):
        end = text.find("*/", i + 2)
        return len(text) if end < 0 else end + 2
    return None


def _code_only(statement: str) -> str:
    """The statement without its comments (to tell an empty one)."""
    out, i = [], 0
    while i < len(statement):
        end = _comment_end(statement, i)
        if end is None:
            out.append(statement[i])
            i += 1
        else:
            i = end
    return "".join(out)


def split(text: str) -> list[str]:
    statements, start, i = [], 0, 0
    while i < len(text):
        char = text[i]
        comment_end = _comment_end(text, i)
        if char in "'\"`":
            i = _skip_quoted(text, i)
        elif comment_end is not None:
            i = comment_end
        elif char == ";":
            statements.append(text[start:i])
            start = i = i + 1
        else:
            i += 1
    statements.append(text[start:])
    return [s.strip() for s in statements if _code_only(s).strip()]
