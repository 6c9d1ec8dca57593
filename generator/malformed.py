"""Malformed access-log lines, mixed in by `--bad-fraction` to test failure paths.

Kinds (each drawn with equal chance):
    truncated        a good line cut short (no closing quote, no cookie field)
    binary           random bytes, including NUL and bytes that are not UTF-8
    blank            an empty-ish line: nothing, spaces, a tab or a lone `-`
    bad_timestamp    a good line whose [timestamp] is impossible or not a date
    bad_status       a good line whose status is not a 3-digit number
    bad_bytes        a good line whose byte count is not a number
    no_cookie_field  the combined format without the workshop's cookie field

The lab's ETL rejects (ProcessingFailed) binary, blank, bad_timestamp,
bad_status and bad_bytes lines. It accepts truncated and no_cookie_field lines
on purpose (tolerant parsing, fields it cannot read are null); the workshop's
original ETL failed on those too.

Lines are `str` whose characters are all below U+0100: the writer encodes them
as Latin-1, so the `binary` kind becomes arbitrary bytes in the file.
"""

from __future__ import annotations

import random

KINDS = ("truncated", "binary", "blank", "bad_timestamp", "bad_status", "bad_bytes",
         "no_cookie_field")
_BINARY_ALPHABET = "".join(chr(c) for c in range(256) if c != 0x0A)
_BAD_TIMESTAMPS = ("32/Foo/2026:25:61:99 +0000", "yesterday", "2026-11-22T10:00:00Z", "")
_BAD_STATUSES = ("2OO", "99999", "ok", "20")
_BAD_BYTES = ("12kb", "-1", "lots", "0x1f")


def malformed_line(kind: str, parts: tuple[str, str, str, str, str], status: int,
                   rng: random.Random) -> str:
    """A bad line of `kind`, made from the five fragments of a good one."""
    prefix, timestamp, request, referer, visitor = parts
    if kind == "truncated":
        line = "".join(parts)
        return line[: rng.randrange(10, len(line) - 40)] + "\n"
    if kind == "binary":
        return "".join(rng.choices(_BINARY_ALPHABET, k=rng.randrange(8, 200))) + "\n"
    if kind == "blank":
        return rng.choice(("", " ", "   ", "\t", "-")) + "\n"
    if kind == "bad_timestamp":
        return "".join((prefix, rng.choice(_BAD_TIMESTAMPS), request, referer, visitor))
    if kind == "bad_status":
        request = request.replace(f'" {status} ', f'" {rng.choice(_BAD_STATUSES)} ', 1)
        return f"{prefix}{timestamp}{request}{referer}{visitor}"
    if kind == "bad_bytes":
        head, _, _size = request[:-2].rpartition(" ")
        return "".join((prefix, timestamp, f"{head} {rng.choice(_BAD_BYTES)} \"", referer, visitor))
    if kind == "no_cookie_field":
        user_agent_end = visitor.rindex('" "user = ')
        return "".join((prefix, timestamp, request, referer, visitor[:user_agent_end + 1])) + "\n"
    raise ValueError(f"unknown malformed-line kind {kind!r}")
