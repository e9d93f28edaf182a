"""Data for the home page."""

from __future__ import annotations


def upcoming_sessions(limit: int = 8) -> list:
    """The next published reception sessions across all units."""
    try:
        from ..schedules.services import next_public_sessions
    except ImportError:  # the schedules module is optional while the app is assembled
        return []
    return next_public_sessions(limit=limit)
