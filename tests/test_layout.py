"""Where a test lives: ``tests/<package>/`` tests ``app/<package>/``, and
``tests/<package>/test_<module>.py`` the module of that name (docs/architecture.md)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Suites that cross the packages: the JSON API, the browser journeys, the fuzzers,
# the scaled-out deployment, the pure core (``sessions/`` beside ``app/``) and the web
# pages seen as a whole.
CROSSING = {"api", "e2e", "fuzz", "scaleout", "sessions", "web"}


def _packages() -> set[str]:
    return {p.parent.name for p in (ROOT / "app").glob("*/__init__.py")}


def _suites() -> set[str]:
    return {p.parent.name for p in (ROOT / "tests").glob("*/__init__.py")}


def test_every_package_of_the_app_has_its_test_folder():
    missing = sorted(_packages() - _suites())
    assert not missing, f"app packages without tests/<package>/: {missing}"


def test_every_test_folder_names_a_package_or_a_crossing_suite():
    strays = sorted(_suites() - _packages() - CROSSING)
    assert not strays, f"tests/ folders that name no app package: {strays}"
