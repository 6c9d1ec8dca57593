"""A bounded memoizing dict: the ETL's caches for values that repeat across log lines.

Access logs repeat the same timestamps (per second), clients, requests and user agents
many times, so the expensive derivations are computed once per distinct key. A lookup
is a plain dict lookup (`memo[key]`); only a miss calls the function. When the memo is
full it is emptied rather than evicting one by one: simpler and cheaper, and a warm
Lambda container refills it within a batch.
"""

from collections.abc import Callable
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class BoundedMemo(dict, Generic[K, V]):
    """`memo[key]` returns `compute(key)`, computed at most once while the key is cached.

    Exceptions raised by `compute` propagate and nothing is cached for that key.
    """

    def __init__(self, compute: Callable[[K], V], max_entries: int) -> None:
        super().__init__()
        self._compute = compute
        self._max_entries = max_entries

    def __missing__(self, key: K) -> V:
        value = self._compute(key)
        if len(self) >= self._max_entries:
            self.clear()
        self[key] = value
        return value
