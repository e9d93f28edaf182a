"""The world of the minutes, tasks and reports tests under its former names; it lives in
tests/factories.py (``build_world``, fixture ``world``; ``sign_in`` for ``login``).
"""

from __future__ import annotations

from tests import factories
from tests.factories import World
from tests.factories import sign_in as login  # noqa: F401


def build_world(make=factories, *, starts_in_minutes: int = 60 * 24 * 10, **booking) -> World:
    """Every role around one accepted case (factories.build_world; ``make`` is not needed)."""
    return factories.build_world(starts_in_minutes=starts_in_minutes, **booking)
