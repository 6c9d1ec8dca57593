"""The lab's import graphs, read statically (ast) from every import statement, function-level
ones included: between its top-level packages, and between the modules of each package.

  .venv/bin/python -m tests.tools.import_graph      # the package graph, loops, labctl's depth

No package may import a package that imports it back, no module a module that imports it
back (directly or round a longer loop); tests/test_import_graph.py holds the suite to that.
"""
from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = {
    "etl": ROOT / "etl",
    "agent": ROOT / "agent",
    "generator": ROOT / "generator",
    "kibana_dashboards": ROOT / "kibana_dashboards",
    "labctl": ROOT / "services/lab/labctl",
    "clickstream_lab": ROOT / "services/lab/clickstream_lab",
    "kafka_connect": ROOT / "services/kafka_connect/kafka_connect",
    "lab_dashboards": ROOT / "services/dashboards/lab_dashboards",
    "lab_localstack": ROOT / "services/localstack/extension/lab_localstack",
}


def module_names(package: str, folder: Path) -> dict[str, Path]:
    names = {}
    for path in folder.rglob("*.py"):
        parts = list(path.relative_to(folder).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        names[".".join([package, *parts])] = path
    return names


def imports_of(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The known modules that `name` imports (a `from X import y` that names a submodule counts as it)."""
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
    """Module -> the modules of the same package it imports."""
    known = module_names(package, folder)
    return {name: imports_of(name, path, known) for name, path in known.items()}


def package_graph(packages: dict[str, Path]) -> dict[str, set[str]]:
    """Top-level package -> the other top-level packages its modules import."""
    known = {}
    for package, folder in packages.items():
        known.update(module_names(package, folder))
    graph: dict[str, set[str]] = {package: set() for package in packages}
    for name, path in known.items():
        source = name.split(".")[0]
        for target in imports_of(name, path, known):
            if target.split(".")[0] != source:
                graph[source].add(target.split(".")[0])
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one node (Tarjan's algorithm)."""
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


def longest_chain(graph: dict[str, set[str]]) -> list[str]:
    """The longest import chain (modules, importer first) of an acyclic graph: its depth in floors."""
    memo: dict[str, list[str]] = {}

    def chain(node: str) -> list[str]:
        if node not in memo:
            below = [chain(succ) for succ in sorted(graph.get(node, ())) if succ in graph]
            memo[node] = [node, *max(below, key=len, default=[])]
        return memo[node]

    return max((chain(node) for node in sorted(graph)), key=len, default=[])


def report(packages: dict[str, Path] = PACKAGES) -> tuple[str, bool]:
    """The printed graph, and whether it is free of loops."""
    graph = package_graph(packages)
    lines = ["package graph (importer -> imported):"]
    lines += [f"  {p} -> {', '.join(sorted(t)) or '(nothing of the lab)'}" for p, t in sorted(graph.items())]
    loops = cycles(graph)
    for package in sorted(packages):
        module_loops = cycles(import_graph(package, packages[package]))
        loops += module_loops
    lines.append("loops: " + ("; ".join(" <-> ".join(loop) for loop in loops) if loops else "none"))
    if "labctl" in packages and not cycles(labctl := import_graph("labctl", packages["labctl"])):
        deepest = longest_chain(labctl)
        lines.append(f"labctl: {len(labctl)} modules, "
                     f"{sum(len(t) for t in labctl.values())} import arrows, {len(deepest)} levels deep:")
        lines.append("  " + " -> ".join(deepest))
    return "\n".join(lines), not loops


def main() -> int:
    text, clean = report()
    print(text)
    return 0 if clean else 1


if __name__ == "__main__":
    sys.exit(main())
