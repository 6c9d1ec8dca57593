"""Counters of a generator run and its one-line summary."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass
class TrafficStats:
    """What a run produced; `errors` are requests that got no HTTP answer (url mode)."""

    requests: int = 0
    by_status: Counter = field(default_factory=Counter)
    malformed: Counter = field(default_factory=Counter)
    errors: int = 0
    visitors: int = 0
    sessions: int = 0
    elapsed: float = 0.0

    def merge(self, other: TrafficStats) -> None:
        self.requests += other.requests
        self.by_status.update(other.by_status)
        self.malformed.update(other.malformed)
        self.errors += other.errors
        self.visitors += other.visitors
        self.sessions += other.sessions

    @property
    def per_second(self) -> float:
        return self.requests / self.elapsed if self.elapsed > 0 else 0.0

    def summary(self, unit: str = "lines") -> str:
        statuses = " ".join(f"{code}={n}" for code, n in sorted(self.by_status.items()))
        parts = [f"{self.requests} {unit} in {self.elapsed:.1f}s ({self.per_second:,.0f} {unit}/s)",
                 f"status {statuses or '-'}",
                 f"visitors {self.visitors}", f"sessions {self.sessions}"]
        if self.malformed:
            parts.append("malformed " + " ".join(f"{k}={n}" for k, n in sorted(self.malformed.items())))
        if self.errors:
            parts.append(f"connection errors {self.errors}")
        return "; ".join(parts)
