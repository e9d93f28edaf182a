"""The core in sessions/ imports neither Flask, nor the database, nor the app."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import sessions

PACKAGE = Path(sessions.__file__).parent
FORBIDDEN = {"flask", "flask_babel", "flask_login", "flask_socketio", "flask_sqlalchemy",
             "flask_wtf", "sqlalchemy", "alembic", "werkzeug", "app"}
MODULES = sorted(PACKAGE.glob("*.py"))


def imported_roots(path: Path) -> set[str]:
    """The top-level names of every module that ``path`` imports."""
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("path", MODULES, ids=[p.name for p in MODULES])
def test_module_imports_nothing_of_the_web_or_the_database(path):
    assert not imported_roots(path) & FORBIDDEN
    assert "flask" not in {root.split("_")[0] for root in imported_roots(path)}


def test_importing_the_core_loads_neither_flask_nor_sqlalchemy():
    names = ", ".join(f"sessions.{p.stem}" for p in MODULES if p.stem != "__init__")
    code = (f"import sys, {names}; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in {'flask', 'sqlalchemy'}))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=PACKAGE.parent, check=True)
    assert result.stdout.strip() == "[]"
