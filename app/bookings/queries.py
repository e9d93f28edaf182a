"""Read-only lookups behind the booking pages (no state changes here)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import groupby

from sqlalchemy import select

from ..extensions import db
from ..schedules.availability import BOOKABLE_STATUSES, free_counts, session_slots
from ..schedules.models import ReceptionSession
from ..timeutil import to_local, utcnow
from ..units.models import Unit
from .models import Booking, BookingStatus

SESSIONS_SHOWN = 12


@dataclass
class SessionChoice:
    """A session offered in the booking flow, with its availability."""

    reception: ReceptionSession
    slots_total: int
    slots_free: int

    @property
    def is_full(self) -> bool:
        return self.slots_free == 0


def upcoming_sessions(unit: Unit, now: datetime | None = None,
                      limit: int = SESSIONS_SHOWN) -> list[SessionChoice]:
    """The unit's next sessions still taking bookings, soonest first."""
    now = now or utcnow()
    receptions = list(db.session.scalars(
        select(ReceptionSession).where(ReceptionSession.unit_id == unit.id,
                                       ReceptionSession.status.in_(BOOKABLE_STATUSES),
                                       ReceptionSession.ends_at > now)
        .order_by(ReceptionSession.starts_at).limit(limit)))
    counts = free_counts(receptions, now)
    return [SessionChoice(r, *counts[r.id]) for r in receptions]


def next_free(choices: list[SessionChoice]) -> SessionChoice | None:
    return next((c for c in choices if not c.is_full), None)


def slot_options(reception: ReceptionSession, now: datetime | None = None) -> list[dict]:
    """[{"start", "end", "free"}] with local ISO times, as GET /sessions/<id> gives."""
    return session_slots(reception, now or utcnow())


def reschedule_options(booking: Booking, now: datetime | None = None) -> list[dict]:
    """Free slots of the unit's sessions a booking may move to, grouped by session."""
    now = now or utcnow()
    groups = []
    for choice in upcoming_sessions(booking.reception.unit, now):
        free = [s for s in slot_options(choice.reception, now) if s["free"]]
        if free:
            groups.append({"reception": choice.reception, "slots": free})
    return groups


def by_local_day(groups: list[dict]) -> list[tuple]:
    """``[(local day, [groups of that day])]`` of ``reschedule_options``' groups."""
    return [(day, list(items)) for day, items in
            groupby(groups, key=lambda g: to_local(g["reception"].starts_at).date())]


def free_slot_count(groups: list[dict]) -> int:
    return sum(len(g["slots"]) for g in groups)


def citizen_bookings(citizen) -> list[Booking]:
    return list(db.session.scalars(select(Booking).where(Booking.citizen_id == citizen.id)
                                   .order_by(Booking.created_at.desc(), Booking.id.desc())))


def units_below(unit_ids: set[int]) -> set[int]:
    """The units and every unit under them."""
    found, frontier = set(unit_ids), set(unit_ids)
    while frontier:
        children = set(db.session.scalars(select(Unit.id).where(Unit.parent_id.in_(frontier))))
        frontier = children - found
        found |= children
    return found


def triage_bookings(unit_ids: set[int] | None, now: datetime | None = None,
                    days: int = 120) -> list[Booking]:
    """Pending bookings of upcoming sessions of these units (None: every unit)."""
    now = now or utcnow()
    query = (select(Booking).join(ReceptionSession, ReceptionSession.id == Booking.session_id)
             .where(Booking.status == BookingStatus.PENDING, ReceptionSession.ends_at > now,
                    ReceptionSession.starts_at < now + timedelta(days=days))
             .order_by(ReceptionSession.starts_at, Booking.slot_start, Booking.id))
    if unit_ids is not None:
        query = query.where(ReceptionSession.unit_id.in_(units_below(unit_ids)))
    return list(db.session.scalars(query))

