"""One host process running runtime_bootstrap.py: spawn, output, exit notice, stop.

The process gets its own session (process group) so that stopping it also stops
anything the function spawned, and LocalStack keeps the write end of its stdin:
if LocalStack dies without stopping it, the runtime reads EOF and exits.
"""

from __future__ import annotations

import collections
import logging
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

LOG = logging.getLogger(__name__)

BOOTSTRAP = Path(__file__).with_name("runtime_bootstrap.py")
# -S: no site-packages (LocalStack's stay invisible), -I: ignore PYTHON* and the
# user site, -u: unbuffered so output reaches get_logs() as it is written.
INTERPRETER_FLAGS = ("-S", "-I", "-u", "-X", "utf8")
OUTPUT_LINES_KEPT = 2000
STOP_GRACE_SECONDS = 2.0


class RuntimeProcess:
    """A running runtime_bootstrap.py and the last lines it wrote."""

    def __init__(
        self, env: dict[str, str], cwd: Path, on_exit: Callable[[RuntimeProcess], None]
    ) -> None:
        self._output: collections.deque[str] = collections.deque(maxlen=OUTPUT_LINES_KEPT)
        self.lines_written = 0
        self._on_exit = on_exit
        self.popen = subprocess.Popen(
            [sys.executable, *INTERPRETER_FLAGS, str(BOOTSTRAP)],
            env=env,
            cwd=cwd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self._reader = threading.Thread(
            target=self._read_output, name=f"lambda-host-{self.popen.pid}", daemon=True
        )
        self._reader.start()

    @property
    def pid(self) -> int:
        return self.popen.pid

    def is_running(self) -> bool:
        return self.popen.poll() is None

    def output(self, since_line: int = 0) -> str:
        """Output lines from number since_line on (as many as are still kept)."""
        kept_from = self.lines_written - len(self._output)
        lines = list(self._output)[max(0, since_line - kept_from) :]
        return "".join(lines)

    def stop(self) -> None:
        """SIGTERM the process group, SIGKILL it after a grace period."""
        if self.popen.poll() is None:
            self._signal_group(signal.SIGTERM)
            try:
                self.popen.wait(STOP_GRACE_SECONDS)
            except subprocess.TimeoutExpired:
                self._signal_group(signal.SIGKILL)
                self.popen.wait(STOP_GRACE_SECONDS)
        # children the function left behind share the group: sweep them too
        self._signal_group(signal.SIGKILL)
        if self.popen.stdin:
            self.popen.stdin.close()

    def end(self) -> None:
        """Wait for a runtime that is exiting by itself; force it after a grace period."""
        try:
            self.popen.wait(STOP_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            LOG.warning("Lambda host runtime %d did not exit by itself: killing it", self.popen.pid)
            self.stop()

    def kill(self) -> None:
        self._signal_group(signal.SIGKILL)

    def _signal_group(self, signum: int) -> None:
        try:
            os.killpg(self.popen.pid, signum)
        except (ProcessLookupError, PermissionError):
            pass

    def _read_output(self) -> None:
        for raw in iter(self.popen.stdout.readline, b""):
            self._output.append(raw.decode("utf-8", "replace"))
            self.lines_written += 1
        self.popen.stdout.close()
        self.popen.wait()
        LOG.debug(
            "Lambda host runtime %d exited with code %s", self.popen.pid, self.popen.returncode
        )
        self._on_exit(self)
