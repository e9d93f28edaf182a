"""The packages of app/ import one way: no cycle between them (docs/architecture.md).

Every import counts, at the top of a module or inside a function: an import hidden in
a function to dodge a cycle means the code lives in the wrong package.
"""

from __future__ import annotations

import ast
from pathlib import Path

import app

APP = Path(app.__file__).parent
PACKAGES = {p.name for p in APP.iterdir() if (p / "__init__.py").exists()}


def _module_name(path: Path) -> list[str]:
    parts = ["app", *path.relative_to(APP).with_suffix("").parts]
    return parts[:-1] if parts[-1] == "__init__" else parts


def imported_modules(path: Path) -> set[str]:
    """The dotted names ``path`` imports, relative imports resolved."""
    package = _module_name(path) if path.name == "__init__.py" else _module_name(path)[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] if node.level else []
            module = [*base, *(node.module.split(".") if node.module else [])]
            found.add(".".join(module))
            # from a import b: b may be a module of a
            found.update(".".join([*module, alias.name]) for alias in node.names)
    return found


def package_graph() -> dict[str, set[str]]:
    """{package: the other app/ packages it imports}."""
    graph: dict[str, set[str]] = {name: set() for name in PACKAGES}
    for path in APP.rglob("*.py"):
        owner = path.relative_to(APP).parts[0]
        if owner not in PACKAGES:
            continue  # app/*.py modules are the application's frame, not a domain
        for name in imported_modules(path):
            parts = name.split(".")
            if parts[0] == "app" and len(parts) > 1 and parts[1] in PACKAGES \
                    and parts[1] != owner:
                graph[owner].add(parts[1])
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of ``graph`` as [a, b, ..., a], or None."""
    state: dict[str, str] = {}
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = "open"
        path.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == "open":
                return path[path.index(target):] + [target]
            if target not in state and (cycle := visit(target)):
                return cycle
        state[node] = "done"
        path.pop()
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_find_cycle_names_the_packages_of_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


def test_function_level_imports_count():
    source = APP / "__init__.py"
    assert "app.live.events" in imported_modules(source)  # imported inside create_app


def test_packages_import_one_way():
    cycle = find_cycle(package_graph())
    assert cycle is None, "packages of app/ import each other in a cycle: " + " -> ".join(cycle)
