"""No circle in labctl's imports: no module imports (at the top or inside a function) a module
that imports it back, directly or through others. Imports under `if TYPE_CHECKING:` do not
count (they never run)."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest
from labctl import __file__ as labctl_init

pytestmark = pytest.mark.unit

PACKAGE_DIR = Path(labctl_init).parent


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def runtime_imports(tree: ast.AST, modules: set[str]) -> set[str]:
    """The package's modules that `tree` imports when it runs."""
    found: set[str] = set()
    skipped = {id(node) for node in ast.walk(tree) if isinstance(node, ast.If)
               and "TYPE_CHECKING" in ast.unparse(node.test) for node in ast.walk(node)}
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found & modules


def import_graph() -> dict[str, set[str]]:
    paths = sorted(PACKAGE_DIR.rglob("*.py"))
    modules = {module_name(path) for path in paths}
    graph = {module_name(path): runtime_imports(ast.parse(path.read_text()), modules) for path in paths}
    # A package's __init__ runs before its modules: importing labctl.x imports labctl, not the reverse.
    return {module: {target for target in targets if not module.startswith(target + ".")}
            for module, targets in graph.items()}


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Each import circle once, as the modules along it."""
    found, seen = [], set()

    def visit(module: str, path: list[str]) -> None:
        for target in sorted(graph.get(module, ())):
            if target in path:
                circle = path[path.index(target):]
                if frozenset(circle) not in seen:
                    seen.add(frozenset(circle))
                    found.append([*circle, target])
            elif len(path) < len(graph):
                visit(target, [*path, target])

    for start in sorted(graph):
        visit(start, [start])
    return found


def test_labctl_has_no_import_circle():
    assert circles(import_graph()) == []


def test_the_check_finds_a_circle():
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c", "a"]]
