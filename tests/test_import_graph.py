"""The lab's import graphs have no loops (tests/tools/import_graph.py reads them statically from
every import statement, function-level ones included): no top-level package imports a package
that imports it back, no module of a package a module that imports it back, directly or round
a longer loop. Glue, whose Data Catalog Athena reads, imports nothing of Athena's.

`python -m tests.tools.import_graph` prints the package graph and labctl's depth; so does
`test_the_package_graph_has_no_loop` (seen with `-s`)."""
from __future__ import annotations

import pytest

from tests.tools.import_graph import (
    PACKAGES,
    cycles,
    import_graph,
    longest_chain,
    package_graph,
    report,
)

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("package", sorted(PACKAGES))
def test_no_import_cycles(package):
    assert cycles(import_graph(package, PACKAGES[package])) == []


def test_the_package_graph_has_no_loop():
    text, clean = report()
    print(text)
    assert cycles(package_graph(PACKAGES)) == [], text
    assert clean, text


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


def test_a_package_loop_is_found(tmp_path):
    """Two packages that import each other (as generator and labctl did, through a
    function-level import) are a loop in the package graph, and the report fails."""
    for package, source in {"gen": "def endpoint():\n    from ctl.settings import load\n",
                            "ctl": "from gen.kdg import endpoint\n",
                            "base": ""}.items():
        folder = tmp_path / package
        folder.mkdir()
        (folder / "__init__.py").write_text("")
        (folder / ("kdg.py" if package == "gen" else "settings.py")).write_text(source)
    (tmp_path / "ctl" / "settings.py").write_text("import base\nfrom gen.kdg import endpoint\n")
    packages = {name: tmp_path / name for name in ("gen", "ctl", "base")}
    assert package_graph(packages) == {"gen": {"ctl"}, "ctl": {"base", "gen"}, "base": set()}
    assert cycles(package_graph(packages)) == [["ctl", "gen"]]
    text, clean = report(packages)
    assert not clean and "loops: ctl <-> gen" in text


def test_labctl_is_at_most_eight_levels_deep():
    graph = import_graph("labctl", PACKAGES["labctl"])
    deepest = longest_chain(graph)
    assert len(deepest) <= 8, " -> ".join(deepest)
