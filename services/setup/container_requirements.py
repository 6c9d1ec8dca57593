"""Print the lab's runtime requirements for its container image, one per line.

The image of setup/agent/generator (services/setup/Dockerfile) installs the
dependencies of pyproject.toml, minus the ones only the native runtime uses and
that cannot be installed in every container (none today: the native runtime's
engines, OpenSearch and Kafka, come from Maven Central, not from pyproject).
pyproject.toml stays the single list; this script only filters it. Standard library only (runs before anything is installed).

Usage: python container_requirements.py PYPROJECT_TOML > requirements.txt
"""
from __future__ import annotations

import re
import sys
import tomllib

# Native-runtime-only distributions, never installed in the container image.
NATIVE_ONLY: frozenset[str] = frozenset()


def requirement_name(requirement: str) -> str:
    """The normalised distribution name of a PEP 508 requirement string."""
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
    if not match:
        raise ValueError(f"not a requirement: {requirement!r}")
    return re.sub(r"[-_.]+", "-", match.group(1)).lower()


def container_requirements(pyproject: dict) -> list[str]:
    deps = pyproject["project"]["dependencies"]
    return [d for d in deps if requirement_name(d) not in NATIVE_ONLY]


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    with open(argv[1], "rb") as f:
        pyproject = tomllib.load(f)
    print("\n".join(container_requirements(pyproject)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
