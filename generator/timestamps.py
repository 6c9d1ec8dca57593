"""Where the timestamps of file-mode lines come from.

- `LiveClock`: the wall clock, as Apache would log the line now.
- `BackfillClock`: `count` timestamps spread over the `hours` before `end`, in
  order: the window is cut into `count` equal slots and each line falls at a
  random moment of its own slot (cheap, and as irregular as the log's
  one-second resolution can show).
"""

from __future__ import annotations

import random
import time


class LiveClock:
    def take(self, n: int) -> list[float]:
        """Timestamps of the next `n` lines: all now (they are written at once)."""
        return [time.time()] * n


class BackfillClock:
    def __init__(self, end: float, hours: float, count: int, rng: random.Random) -> None:
        self.start = end - hours * 3600
        self.slot = hours * 3600 / max(count, 1)
        self._next_slot = 0
        self._random = rng.random

    def take(self, n: int) -> list[float]:
        """Timestamps of the next `n` lines."""
        first, start, slot, rand = self._next_slot, self.start, self.slot, self._random
        self._next_slot += n
        return [start + (i + rand()) * slot for i in range(first, first + n)]
