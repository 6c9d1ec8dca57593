"""Where the lab agent's flow began in Apache's access log, so that a lab started again in another
log format (LAB_ACCESS_LOG_FORMAT, after `make down`) ships only the lines written in that format.

The lab records, in <state>/agent/flow-start.json, the format its flow ships and the number of
access-log lines (over the log's rotations) written before that flow began. When `make up` starts
the lab in another format, the new flow begins at the lines written so far: the agent forgets its
positions (the lab's checkpoint file) and starts at the end of the file (initialPosition
END_OF_FILE), and the lab's accounting (`make status`, `make wait`) counts from that line, less
what its destination already held when the flow began (`settle`, at the end of that `make up`).
In the same format nothing changes: the agent resumes from its checkpoints.

Only the lab's own flow: a team's agent.json (LAB_AGENT_CONFIG) keeps its own initialPosition.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from labctl.settings import LabSettings

LOG = logging.getLogger(__name__)

FILE = "flow-start.json"


@dataclass(frozen=True)
class FlowStart:
    """The lab's flow ships `access_log_format` lines from access-log line `line` on."""

    access_log_format: str
    line: int = 0
    accounted_before: int | None = 0   # the destination's count when the flow began (None: not yet read)

    @property
    def initial_position(self) -> str:
        """The agent's initialPosition: a flow that began after other lines starts at the end."""
        return "END_OF_FILE" if self.line else "START_OF_FILE"


def _path(settings: LabSettings) -> Path:
    return settings.state_dir / "agent" / FILE


def read(settings: LabSettings) -> FlowStart:
    """The recorded start; a lab with no record ships its format from the first line."""
    try:
        raw = json.loads(_path(settings).read_text())
        before = raw.get("accounted_before", 0)
        return FlowStart(str(raw["access_log_format"]), int(raw["line"]), None if before is None else int(before))
    except (OSError, ValueError, KeyError, TypeError):
        return FlowStart(settings.access_log_format)


def begin(settings: LabSettings, lines_written: Callable[[], int], checkpoint_file: Path) -> FlowStart:
    """At `make up`, before the agent starts: the flow's start, a new one when the format changed.

    A new start forgets the agent's checkpoints (the lab's own file), so that a flow which ran
    before in this format does not resume at a position older than the other format's lines.
    `lines_written` counts the access log's lines: called only then (it reads the whole log)."""
    if settings.agent_config_file is not None:
        return FlowStart(settings.access_log_format)
    recorded = read(settings) if _path(settings).exists() else None
    if recorded is not None and recorded.access_log_format == settings.access_log_format:
        return recorded
    switched = recorded is not None
    start = FlowStart(settings.access_log_format, lines_written() if switched else 0, None if switched else 0)
    if switched:
        LOG.info("the agent now ships %s lines: from the end of the access log (line %d), not the "
                 "%s lines before it", start.access_log_format, start.line, recorded.access_log_format)
        for path in (checkpoint_file, *(checkpoint_file.with_name(checkpoint_file.name + s) for s in ("-wal", "-shm"))):
            path.unlink(missing_ok=True)
    _write(settings, start)
    return start


def settle(settings: LabSettings, accounted_now: int) -> FlowStart:
    """Once the lab is up: a flow that began at this `make up` counts what its destination holds
    now (an earlier flow's documents, e.g.) as not its own."""
    start = read(settings)
    if start.accounted_before is None:
        start = replace(start, accounted_before=accounted_now)
        _write(settings, start)
    return start


def _write(settings: LabSettings, start: FlowStart) -> None:
    _path(settings).parent.mkdir(parents=True, exist_ok=True)
    _path(settings).write_text(json.dumps(asdict(start), indent=2) + "\n")
