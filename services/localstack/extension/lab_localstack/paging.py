"""Opaque NextToken pagination shared by the lab's Glue and Athena providers: a page
is a window of a list, the token encodes where the next one starts."""
from __future__ import annotations

import base64
from collections.abc import Callable


def encode(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode()


def decode(token: str | None, invalid: Callable[[], Exception]) -> int:
    if not token:
        return 0
    try:
        kind, _, offset = base64.urlsafe_b64decode(token.encode()).decode().partition(":")
        if kind == "offset":
            return int(offset)
    except (ValueError, UnicodeDecodeError):
        pass
    raise invalid()


def window(items: list, token: str | None, size: int, invalid: Callable[[], Exception]) -> tuple[list, str | None]:
    """(this page's items, the NextToken or None)."""
    start = decode(token, invalid)
    end = start + size
    return items[start:end], (encode(end) if end < len(items) else None)
