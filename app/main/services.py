"""Data for the home page."""

from __future__ import annotations

from ..schedules.services import next_public_sessions


def upcoming_sessions(limit: int = 8) -> list:
    """The next published reception sessions across all units."""
    return next_public_sessions(limit=limit)
