"""What the core (runtimes, `make status`, `make down`) knows of a sibling lab: one small hook.

A sibling lab runs beside the main lab once its `make` target starts it. The core reaches it
only through `LabHook`: start it, stop it before the main lab stops, and its section of
`make status` (a dict for `--format json`, lines for the text). Each lab's hook lives in its
package, `labctl/labs/<lab>/`, one class per runtime (labctl.labs lists them).
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path

from labctl.settings import LabSettings


@dataclass(frozen=True)
class Program:
    """One supervised process of a sibling lab on the native runtime: what labctl.native renders
    as a [program:...] block (autostart=false; the lab's start starts it)."""

    name: str
    argv: list[str]
    cwd: Path
    env: dict[str, str]


class LabHook(ABC):
    """One sibling lab on one runtime."""

    status_key: str   # its key in `make status --format json`

    def __init__(self, settings: LabSettings):
        self.settings = settings

    @abstractmethod
    def start(self) -> int:
        """Provision the lab and start its processes; 0 once they are ready."""

    def stop(self) -> None:
        """Stop its processes while the main lab still answers (`make down` calls it first)."""

    @abstractmethod
    def status(self) -> dict:
        """Its section of `make status`, as data."""

    @abstractmethod
    def render(self, data: dict) -> list[str]:
        """That section as text lines (the first one empty, then its title)."""
