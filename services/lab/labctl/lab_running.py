"""One voice when the lab is down: every command that needs a running lab asks `require` first,
and before `make up` (or after `make down`, or with the lab's LocalStack gone) each says the
same line, `the lab is not running: make up`, and exits 1, instead of a traceback, a
"connection refused" or a status of nothing.

Running means: `make up` recorded a runtime (runtimes.record) and, unless the caller only
needs the record (`make status` still reports a lab whose services died), the lab's LocalStack
answers its health endpoint.
"""
from __future__ import annotations

from labctl import localstack_native, runtimes
from labctl.errors import LabError
from labctl.settings import LabSettings

MESSAGE = "the lab is not running: make up"


class LabNotRunning(LabError):
    """The command needs the lab, and it is not running."""

    def __init__(self) -> None:
        super().__init__(MESSAGE)


def require(settings: LabSettings, probe: bool = True) -> runtimes.Runtime:
    """The runtime running the lab, or LabNotRunning; `probe` also asks LocalStack."""
    runtime = runtimes.running(settings)
    if runtime is None or (probe and not localstack_native.is_ready(settings.localstack_url)):
        raise LabNotRunning()
    return runtime
