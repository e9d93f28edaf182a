"""Scheduled work of the live room (registered in app/jobs.py)."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from ..extensions import db
from ..schedules.models import OPEN_SESSION_STATUSES, ReceptionSession, SessionMode
from ..timeutil import utcnow
from . import presence
from .recording import complete_abandoned
from .turn_near import notify_turn_near
from .window import OVERRUN

#: Default idle time after which an unfinished recording upload is completed.
RECORDING_IDLE_SECONDS = 30 * 60


def complete_recordings() -> list[int]:
    """Store the recordings whose upload the host's browser never finished."""
    idle = int(current_app.config.get("RECORDING_IDLE_SECONDS", RECORDING_IDLE_SECONDS))
    return complete_abandoned(utcnow(), idle)


def tell_turns_near() -> list[int]:
    """Tell the citizens away from the waiting room whose turn is near, in every open
    online session (catches what no queue event did: a citizen who left, a booking
    cancelled ahead of them); then forget old presence rows. The booking ids told."""
    now = utcnow()
    told = []
    receptions = db.session.scalars(
        select(ReceptionSession)
        .where(ReceptionSession.status.in_(OPEN_SESSION_STATUSES),
               ReceptionSession.mode != SessionMode.IN_PERSON,
               ReceptionSession.starts_at <= now + timedelta(hours=2),
               ReceptionSession.ends_at >= now - OVERRUN)
        .order_by(ReceptionSession.id)).all()
    for reception in receptions:
        told += notify_turn_near(reception, now)
    presence.forget_old(now)
    return told
