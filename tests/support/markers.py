"""Category markers, enforced at collection: every test carries one of pyproject's categories,
and a test that starts LocalStack does not carry `unit` (so `-m unit` never starts a server
and `-m "not localstack"` never meets one).

A test starts LocalStack when it, or a fixture in its closure, is the shared `localstack` /
`localstack_factory` fixture or calls one of the harness's starters (LocalStackInstance,
NativeLab.start, clickstream_lab.Lab.start, labctl.native.up, running_native_lab): read from the functions' source, so a
new fixture that starts LocalStack through the harness is seen without being listed.
"""
from __future__ import annotations

import functools
import inspect
import re
from collections.abc import Iterable

import pytest

CATEGORIES = ("unit", "localstack", "apache", "opensearch", "browser", "e2e", "fault", "docker", "slow")
LOCALSTACK_FIXTURES = frozenset({"localstack", "localstack_factory"})
STARTERS = re.compile(r"\b(LocalStackInstance|NativeLab\.start|Lab\.start|native\.up|running_native_lab)\(")


class MarkerError(pytest.UsageError):
    """Tests whose category markers break the rules; the message names each."""


@functools.cache
def _calls_a_starter(func) -> bool:
    try:
        return bool(STARTERS.search(inspect.getsource(func)))
    except (OSError, TypeError):
        return False


def starts_localstack(item: pytest.Item) -> bool:
    """Whether `item` (or a fixture it uses, directly or through other fixtures) starts LocalStack."""
    names = set(getattr(item, "fixturenames", ()))
    if names & LOCALSTACK_FIXTURES:
        return True
    funcs = [getattr(item, "function", None)]
    info = getattr(item, "_fixtureinfo", None)
    for defs in (info.name2fixturedefs.values() if info else ()):
        funcs.extend(d.func for d in defs if d.baseid is not None)
    return any(_calls_a_starter(f) for f in funcs if f is not None)


def marker_problems(items: Iterable[pytest.Item]) -> list[str]:
    problems = []
    for item in items:
        marks = {m.name for m in item.iter_markers()}
        if not marks & set(CATEGORIES):
            problems.append(f"{item.nodeid}: no category marker (one of {', '.join(CATEGORIES)})")
        elif "unit" in marks and starts_localstack(item):
            problems.append(f"{item.nodeid}: marked unit but starts LocalStack (mark it localstack)")
    return problems


def check_markers(items: list[pytest.Item]) -> None:
    """Fail collection, naming every offending test."""
    problems = marker_problems(items)
    if problems:
        raise MarkerError("category markers (tests/support/markers.py):\n  " + "\n  ".join(problems))
