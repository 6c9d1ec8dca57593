"""The lab's two runtimes behind one interface: compose (a Docker engine runs the images)
and native (this host's processes under supervisord).

`make up` chooses one (`choose`) and records it in the state directory; the other
commands act on the recorded one (`running`). Everything that differs between the two
ways of running the same topology lives behind `Runtime`, so commands and status never
test a runtime's name. A sibling lab's own runtime differences live in its hook
(labctl.labs), not here: `Runtime` holds only what every lab needs.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path

from labctl import agent_flow_start, compose, native, started_settings
from labctl.errors import LabError
from labctl.settings import LabSettings


class Runtime(ABC):
    """One way of running the lab's services."""

    name: str
    dashboards_ui: bool   # OpenSearch Dashboards' pages (compose); natively its API only, so far

    def __init__(self, settings: LabSettings):
        self.settings = settings

    @abstractmethod
    def up(self) -> int:
        """Start (or complete) the lab and provision it; 0 on success."""

    @abstractmethod
    def down(self) -> bool:
        """Stop what this runtime started; True if something was running."""

    @abstractmethod
    def generate(self, extra_args: list[str]) -> int:
        """Run the traffic generator against the shop."""

    @abstractmethod
    def follow_logs(self) -> int:
        """Follow the services' logs until interrupted."""

    @abstractmethod
    def agent_state(self) -> str:
        """The agent's state for status: running, down, ..."""

    @abstractmethod
    def access_log_lines(self) -> int | None:
        """Lines Apache wrote (over rotations), None when unknown."""

    @abstractmethod
    def agent_stats_json(self) -> str | None:
        """The agent's stats file (agent/README.md), None when there is none."""

    def flow_start(self) -> agent_flow_start.FlowStart:
        """Where the lab agent's flow began in the access log (what the accounting counts)."""
        return agent_flow_start.FlowStart(self.settings.access_log_format)


class NativeRuntime(Runtime):
    name = "native"
    dashboards_ui = False

    def up(self) -> int:
        native.up(self.settings)
        return 0

    def down(self) -> bool:
        return native.down(self.settings)

    def generate(self, extra_args: list[str]) -> int:
        return native.run_generator(self.settings, extra_args)

    def follow_logs(self) -> int:
        return native.follow_logs(self.settings)

    def agent_state(self) -> str:
        state = native.program_states(self.settings).get("agent", "down").lower()
        if state == "stopped" and started_settings.empty_lab(self.settings):
            return started_settings.EMPTY_LAB_AGENT
        return state

    def access_log_lines(self) -> int | None:
        return native.access_log_lines(self.settings)

    def flow_start(self) -> agent_flow_start.FlowStart:
        return agent_flow_start.read(self.settings)

    def agent_stats_json(self) -> str | None:
        path = native.agent_stats_file(self.settings)
        return path.read_text() if path.exists() else None


class ComposeRuntime(Runtime):
    name = "compose"
    dashboards_ui = True

    def up(self) -> int:
        if self.settings.empty:
            raise LabError("an empty lab (LAB_PROVISION=none) runs natively: LAB_RUNTIME=native make up")
        return compose.up()

    def down(self) -> bool:
        if not compose.engine_answers():
            return False
        compose.down()
        return True

    def generate(self, extra_args: list[str]) -> int:
        return compose.generate(extra_args)

    def follow_logs(self) -> int:
        return compose.logs()

    def agent_state(self) -> str:
        return "running" if compose.agent_stats_json() is not None else "down"

    def access_log_lines(self) -> int | None:
        return compose.access_log_lines()

    def agent_stats_json(self) -> str | None:
        return compose.agent_stats_json()


RUNTIMES: dict[str, type[Runtime]] = {"native": NativeRuntime, "compose": ComposeRuntime}


def choose(settings: LabSettings) -> tuple[Runtime, str]:
    """The runtime `make up` uses, and why: LAB_RUNTIME, else compose when an engine answers."""
    if settings.runtime != "auto":
        return RUNTIMES[settings.runtime](settings), f"LAB_RUNTIME={settings.runtime}"
    if settings.empty:
        return NativeRuntime(settings), "an empty lab (LAB_PROVISION=none) runs natively"
    if compose.engine_answers():
        return ComposeRuntime(settings), "a Docker engine answers"
    return NativeRuntime(settings), "no Docker engine answers"


def _record_file(settings: LabSettings) -> Path:
    return settings.state_dir / "runtime"


def record(settings: LabSettings, runtime: Runtime | None) -> None:
    """Remember which runtime runs the lab (None: nothing runs)."""
    if runtime is None:
        _record_file(settings).unlink(missing_ok=True)
        return
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    _record_file(settings).write_text(runtime.name + "\n")


def running(settings: LabSettings) -> Runtime | None:
    """The runtime `make up` recorded, or None when the lab was not started."""
    try:
        name = _record_file(settings).read_text().strip()
    except OSError:
        return None
    return RUNTIMES[name](settings) if name in RUNTIMES else None
