"""The schedules' scene under its former names; it lives in tests/factories.py.

Kept so that tests importing ``body``, ``make_place``… from here keep running.
"""

from __future__ import annotations

from tests import factories
from tests.factories import Place, add_session  # noqa: F401
from tests.factories import fixed_schedule_body as fixed_body  # noqa: F401
from tests.factories import schedule_body as body  # noqa: F401


def make_place(make=factories) -> Place:
    """Province 08 with one commune (factories.make_place; ``make`` is not needed)."""
    return factories.make_place()
