"""Files renamed away from a section's `file` before they were delivered.

The workshop's `file` is one path (`/var/log/httpd/access_log`), not a glob that
also matches the rotated names. While the agent runs, a rotated file is followed
through its open descriptor. But if the agent stops (or is killed) with part of
a file undelivered and the file is then rotated, the pattern no longer finds it
at the next start. So at start the agent also looks, in the file's directory,
for the inodes of its checkpoints whose head is unchanged and which hold bytes
beyond the checkpoint, and finishes them (then they are "gone" as any rotated file).
"""
from __future__ import annotations

import fnmatch
import glob
import logging
import os

from agent.fingerprint import HEAD_BYTES, same_content
from agent.tailer import Tailer

LOG = logging.getLogger(__name__)


def leftover_paths(tailer: Tailer) -> list[str]:
    directory = os.path.dirname(tailer.pattern)
    if glob.has_magic(directory) or not os.path.isdir(directory):
        return []
    wanted = {(c.dev, c.ino): c for c in tailer.known}
    found: list[str] = []
    for entry in os.scandir(directory):
        try:
            st = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        cp = wanted.get((st.st_dev, st.st_ino))
        if cp is None or st.st_size <= cp.offset or fnmatch.fnmatch(entry.path, tailer.pattern):
            continue
        try:
            with open(entry.path, "rb") as f:
                head = f.read(HEAD_BYTES)
        except OSError:
            continue
        if same_content(cp.head, head):
            LOG.info("%s: checkpointed file now named %s has %d undelivered bytes: finishing it",
                     tailer.pattern, entry.path, st.st_size - cp.offset)
            found.append(entry.path)
    return found


class LeftoverTailer(Tailer):
    """The shared tailer, plus the leftovers found at start until they are adopted."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.leftovers = leftover_paths(self)

    def paths(self) -> list[str]:
        if self.leftovers and not self.first_poll:
            self.leftovers = []     # adopted at the first poll: from now on "gone" files
        return super().paths() + self.leftovers
