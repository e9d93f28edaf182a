"""Scheduled work of the live room (registered in app/jobs.py)."""

from __future__ import annotations

from flask import current_app

from ..timeutil import utcnow
from .recording import complete_abandoned

#: Default idle time after which an unfinished recording upload is completed.
RECORDING_IDLE_SECONDS = 30 * 60


def complete_recordings() -> list[int]:
    """Store the recordings whose upload the host's browser never finished."""
    idle = int(current_app.config.get("RECORDING_IDLE_SECONDS", RECORDING_IDLE_SECONDS))
    return complete_abandoned(utcnow(), idle)
