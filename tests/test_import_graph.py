"""The import graphs of the lab's LocalStack extension (lab_localstack) and of labctl have no
cycles, read statically (ast) from every import statement, function-level ones included: no
module imports another that imports it back, directly or round a longer loop. And Glue, whose
Data Catalog Athena reads, imports nothing of Athena's."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = {
    "lab_localstack": ROOT / "services/localstack/extension/lab_localstack",
    "labctl": ROOT / "services/lab/labctl",
}

pytestmark = pytest.mark.unit


def module_names(package: str, folder: Path) -> dict[str, Path]:
    names = {}
    for path in folder.rglob("*.py"):
        parts = list(path.relative_to(folder).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        names[".".join([package, *parts])] = path
    return names


def imports_of(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The package's modules that `name` imports (a `from X import y` that names a submodule counts as it)."""
    is_package = path.name == "__init__.py"
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        targets = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".")[: len(name.split(".")) - node.level + (1 if is_package else 0)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            targets = [f"{module}.{alias.name}" if f"{module}.{alias.name}" in known else module
                       for alias in node.names]
        for target in targets:
            while target and target not in known:      # `import a.b.c` where c is an attribute
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def import_graph(package: str, folder: Path) -> dict[str, set[str]]:
    known = module_names(package, folder)
    return {name: imports_of(name, path, known) for name, path in known.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index, low, on_stack, stack, found = {}, {}, set(), [], []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for succ in sorted(graph.get(node, ())):
            if succ not in index:
                visit(succ)
                low[node] = min(low[node], low[succ])
            elif succ in on_stack:
                low[node] = min(low[node], index[succ])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


@pytest.mark.parametrize("package", sorted(PACKAGES))
def test_no_import_cycles(package):
    assert cycles(import_graph(package, PACKAGES[package])) == []


def test_glue_does_not_import_athena():
    graph = import_graph("lab_localstack", PACKAGES["lab_localstack"])
    upward = sorted(f"{module} -> {target}" for module, targets in graph.items()
                    if module.startswith("lab_localstack.glue") for target in targets
                    if target.startswith("lab_localstack.athena"))
    assert upward == []


def test_a_cycle_is_found(tmp_path):
    """The check can fail: a package whose modules import each other back is reported."""
    (tmp_path / "__init__.py").write_text("")
    (tmp_path / "a.py").write_text("from pkg import b\n")
    (tmp_path / "b.py").write_text("def f():\n    from pkg.c import g\n")
    (tmp_path / "c.py").write_text("from . import a\n")
    assert cycles(import_graph("pkg", tmp_path)) == [["pkg.a", "pkg.b", "pkg.c"]]
