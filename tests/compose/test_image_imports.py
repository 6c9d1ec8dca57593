"""The lab's Python image (services/setup/Dockerfile) runs labctl for the compose runtime
(`make status`, `make cloudwatch-lab`, the `setup` and `cloudwatch-setup` services): every
command must import with only the packages that image copies. A first-party package it leaves
out (lab_dashboards, which only the native runtime runs) may be imported inside a function,
never at a module's top: found in a side-by-side run, where every labctl call in the image
failed with ModuleNotFoundError. Checked here in seconds, without building the image."""
from __future__ import annotations

import re
import subprocess
import sys

import pytest

from tests.compose import compose_checks as cc
from tests.tools.import_graph import PACKAGES

pytestmark = pytest.mark.unit

DOCKERFILE = cc.REPO / "services" / "setup" / "Dockerfile"


def copied_packages() -> set[str]:
    sources = re.findall(r"^COPY\s+(\S+)/\s", DOCKERFILE.read_text(), re.MULTILINE)
    return {name for name, folder in PACKAGES.items()
            if any(str(folder.relative_to(cc.REPO)).startswith(src.rstrip("/")) for src in sources)}


def test_the_image_copies_labctl_and_not_the_native_only_packages():
    copied = copied_packages()
    assert {"labctl", "etl", "agent", "generator", "kibana_dashboards"} <= copied
    assert "lab_dashboards" not in copied


def test_labctl_imports_with_only_what_the_image_copies():
    missing = sorted(set(PACKAGES) - copied_packages())
    code = ("import sys\n"
            f"for name in {missing!r}: sys.modules[name] = None   # as if not installed\n"
            "import labctl.__main__, labctl.runtimes, labctl.native, labctl.status, labctl.readiness\n"
            "import labctl.commands\n"
            "import pkgutil, importlib\n"
            "for m in pkgutil.iter_modules(labctl.commands.__path__):\n"
            "    importlib.import_module('labctl.commands.' + m.name)\n")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0, run.stderr[-3000:]
