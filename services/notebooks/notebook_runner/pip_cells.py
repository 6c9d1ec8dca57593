"""`%pip install ...` cells on a machine that installs nothing at run time (the lab is offline):
each requirement is looked up in the Spark environment; present ones are reported with their
installed version, a missing one fails the cell naming it and where the lab's Spark packages
are pinned."""
from __future__ import annotations

import re
from importlib import metadata

PINNED_IN = "services/localstack/spark-requirements.txt"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*")


def requirements(source: str) -> list[str]:
    """The package names of `install a b==1 -q ...` lines (options and their values skipped)."""
    names = []
    for line in source.splitlines():
        words = line.split()
        if not words or words[0] != "install":
            raise ValueError(f"%pip {line.strip()}: only `%pip install` is supported")
        skip = False
        for word in words[1:]:
            if skip:
                skip = False
                continue
            if word.startswith("-"):
                skip = word in ("-r", "-c", "-i", "--index-url", "--extra-index-url", "-e", "--target")
                continue
            match = _NAME.match(word)
            if match:
                names.append(match.group(0))
    return names


def satisfy(source: str) -> str:
    """What the cell's packages are in this environment; raises when one is missing."""
    found, missing = [], []
    for name in requirements(source):
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            missing.append(name)
    if missing:
        raise ModuleNotFoundError(f"%pip install {', '.join(missing)}: not in the lab's Spark environment, and "
                                  f"the lab installs nothing at run time (offline); pin it in {PINNED_IN}")
    return f"%pip install satisfied by the lab's Spark environment ({', '.join(found)}); nothing installed"
