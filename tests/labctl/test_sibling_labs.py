"""The sibling labs sit beside labctl's core, not in it: `Runtime` names no lab, every lab that
runs beside the main lab has a hook on every runtime, and no labctl module imports a package
that only the tests' dependencies (pyproject's `dev` extra) install."""
from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

import pytest
from labctl import labs, runtimes, settings
from labctl.labs.hook import LabHook

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parents[2]
LABCTL = REPO / "services" / "lab" / "labctl"
LAB_WORDS = ("cloudwatch", "kafka", "anomaly", "lake", "awslogs", "instance_id")
# distribution name -> import name, where they differ
IMPORT_NAMES = {"pyyaml": "yaml", "aws-lambda-powertools": "aws_lambda_powertools", "pytest-timeout": "pytest_timeout",
                "pytest-xdist": "xdist", "pyathena": "pyathena"}


def test_runtime_has_no_method_named_after_a_lab():
    for cls in runtimes.RUNTIMES.values():
        named = [m for m in dir(cls) if not m.startswith("__") and any(w in m for w in LAB_WORDS)]
        assert named == [], cls.__name__


def test_every_lab_has_a_hook_on_every_runtime(tmp_path):
    s = settings.load({"LAB_STATE_DIR": str(tmp_path)})
    for name in runtimes.RUNTIMES:
        hooks = labs.hooks(name, s)
        assert len(hooks) == len(labs.HOOKS) and all(isinstance(h, LabHook) for h in hooks)
        assert len({h.status_key for h in hooks}) == len(hooks)


def dev_only_imports() -> set[str]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    def names(specs):
        return {re.split(r"[\[<>=!~ ]", spec, maxsplit=1)[0].lower() for spec in specs}
    dev = names(project["optional-dependencies"]["dev"]) - names(project["dependencies"])
    return {IMPORT_NAMES.get(d, d.replace("-", "_")) for d in dev}


def test_no_labctl_module_imports_a_dev_only_package():
    dev = dev_only_imports()
    assert {"pyarrow", "duckdb", "pandas"} <= dev
    found = []
    for path in LABCTL.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            modules = ([a.name for a in node.names] if isinstance(node, ast.Import)
                       else [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else [])
            found += [f"{path.relative_to(LABCTL)}: {m}" for m in modules if m.split(".")[0] in dev]
    assert found == []
