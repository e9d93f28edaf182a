"""Which slots of a reception session can be booked now."""

from __future__ import annotations

import functools
from datetime import datetime, timedelta

from sqlalchemy import bindparam, func, select

from ..extensions import db
from ..timeutil import iso_local, utcnow
from .models import ReceptionSession, SessionStatus, SlotHold

BOOKABLE_STATUSES = (SessionStatus.SCHEDULED, SessionStatus.LIVE)


def slot_starts(reception: ReceptionSession) -> list[datetime]:
    """Start times (naive UTC) of the session's slots; a short remainder is no slot."""
    step = timedelta(minutes=reception.slot_minutes)
    starts, current = [], reception.starts_at
    while current + step <= reception.ends_at:
        starts.append(current)
        current += step
    return starts


@functools.cache
def _held_statement():
    return select(SlotHold.slot_start).where(SlotHold.session_id == bindparam("session_id"))


def held_starts(session_id: int) -> set[datetime]:
    """Start times of the session's slots that someone holds."""
    return set(db.session.scalars(_held_statement(), {"session_id": session_id}))


def is_bookable(reception: ReceptionSession, now: datetime | None = None) -> bool:
    now = now or utcnow()
    return reception.status in BOOKABLE_STATUSES and reception.ends_at > now


def session_slots(reception: ReceptionSession, now: datetime | None = None) -> list[dict]:
    """[{"start", "end", "free"}] with local ISO times; ``free`` means bookable now.

    A slot is free when nobody holds it, its start is still ahead and the session
    takes bookings.
    """
    now = now or utcnow()
    held = held_starts(reception.id)
    open_now = is_bookable(reception, now)
    step = timedelta(minutes=reception.slot_minutes)
    return [{"start": iso_local(start), "end": iso_local(start + step),
             "free": open_now and start > now and start not in held}
            for start in slot_starts(reception)]


def free_counts(receptions: list[ReceptionSession],
                now: datetime | None = None) -> dict[int, tuple[int, int]]:
    """{session id: (slots_total, slots_free)} for many sessions with one query."""
    now = now or utcnow()
    ids = [r.id for r in receptions]
    held: dict[int, set] = {i: set() for i in ids}
    if ids:
        rows = db.session.execute(select(SlotHold.session_id, SlotHold.slot_start)
                                  .where(SlotHold.session_id.in_(ids)))
        for session_id, start in rows:
            held[session_id].add(start)
    counts = {}
    for reception in receptions:
        starts = slot_starts(reception)
        free = 0
        if is_bookable(reception, now):
            free = sum(1 for s in starts if s > now and s not in held[reception.id])
        counts[reception.id] = (len(starts), free)
    return counts


def held_count(reception_id: int) -> int:
    return db.session.scalar(select(func.count(SlotHold.id))
                             .where(SlotHold.session_id == reception_id)) or 0
