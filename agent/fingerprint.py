"""Content fingerprints: the first bytes of a file, to tell files apart beyond
device and inode.

Device+inode alone is not enough: an inode is reused after a delete, and
copytruncate produces a new inode holding content the agent has already sent.
The fingerprint is the raw first HEAD_BYTES bytes (not a hash) so that a file
still shorter than that, e.g. a copy in progress, can be compared on the
prefix both have.
"""
from __future__ import annotations

import os

HEAD_BYTES = 1024


def read_head(fd: int) -> bytes:
    """The first HEAD_BYTES bytes of an open file (fewer if it is shorter)."""
    return os.pread(fd, HEAD_BYTES, 0)


def same_content(a: bytes, b: bytes) -> bool:
    """True when two heads agree on every byte they both have (and have some)."""
    n = min(len(a), len(b))
    return n > 0 and a[:n] == b[:n]
