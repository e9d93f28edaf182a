"""Scheduled work of the schedules domain (run by app/jobs.py, which commits)."""

from __future__ import annotations

import logging

from .services import extend_all_horizons

log = logging.getLogger(__name__)


def extend_horizons() -> int:
    """Extend every active schedule's sessions to the rolling horizon (idempotent)."""
    created = extend_all_horizons()
    if created:
        log.info("schedule horizon extended: %d sessions created", created)
    return created
