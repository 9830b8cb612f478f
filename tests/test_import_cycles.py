"""The modules of app/ and search/ import one another without cycles, late imports included.

A cycle dodged with an import inside a function still ties two modules together; the graph
here counts every import statement, wherever it is, so the only way to pass is a real
direction between modules.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from app.config import PROJECT_DIR

PACKAGES = ("app", "search")


def _modules() -> dict[str, Path]:
    """Every module of the packages by dotted name (a package by its own name)."""
    found = {}
    for package in PACKAGES:
        for path in (PROJECT_DIR / package).rglob("*.py"):
            parts = path.relative_to(PROJECT_DIR).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _imported(node: ast.Import | ast.ImportFrom, module: str, is_package: bool) -> Iterator[str]:
    """Dotted names an import statement may load: the module, or each `from` name as a submodule."""
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names)
        return
    base = node.module or ""
    if node.level:  # relative: resolved against the importing module's package
        package = module.split(".")[: len(module.split(".")) - node.level + (1 if is_package else 0)]
        base = ".".join([*package, *([base] if base else [])])
    yield base
    yield from (f"{base}.{alias.name}" for alias in node.names)


def import_graph() -> dict[str, set[str]]:
    """Module → the modules of the packages it imports, at module level and inside functions."""
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        is_package = path.name == "__init__.py"
        targets = {target for node in ast.walk(tree) if isinstance(node, ast.Import | ast.ImportFrom)
                   for target in _imported(node, name, is_package)}
        graph[name] = {target for target in targets if target in modules and target != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        """Number `node`, visit what it imports, pop a component when `node` is its root."""
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while (member := stack.pop()) != node:
                component.append(member)
            component.append(node)
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_graph_sees_late_imports() -> None:
    graph = import_graph()
    assert "app.routes.catalog" in graph["app.main"]  # imported at module level
    assert "search.meili" in graph["search.factory"]  # imported inside a function


def test_cycles_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_cycles_in_app_and_search() -> None:
    assert cycles(import_graph()) == []
