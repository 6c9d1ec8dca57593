"""What can go wrong in the lab that the user can act on, under one base class.

`python -m labctl` turns a `LabError` (and a `TimeoutError` from anything it calls) into one
`error: <message>` on stderr and a non-zero exit (`exit_code`), not a traceback; `-v` logs
the traceback as well. Each error keeps the built-in class it had before (RuntimeError,
ValueError, FileNotFoundError, TimeoutError) as a second base, so callers that catch those
still do. Module-specific errors live beside their code (SettingsError in settings.py,
ComposeError in compose.py, EngineError in engine.py, GeoIPInstallError in geoip.py); the
shared ones are here. apache_host.ApacheError is not a LabError: that module runs alone on a
bare system Python (tests/apache/test_private_checkout.py), so the native runtime turns it
into a LabStartError where it starts Apache.
"""
from __future__ import annotations


class LabError(Exception):
    """A failure whose message tells the user what happened and what to do."""

    exit_code = 1


class LabStartError(LabError, RuntimeError):
    """A service of the lab could not start; the message says which and why."""


class LabTimeout(LabError, TimeoutError):
    """Something the lab waited for did not happen in time (labctl.waiting)."""

    def __init__(self, message: str, last: object = None):
        super().__init__(message)
        self.last = last


class MissingPrerequisite(LabError, FileNotFoundError):
    """A file the lab builds or installs is not there yet; the message names the make target."""
