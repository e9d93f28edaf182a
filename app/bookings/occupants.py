"""What happens to the bookings of a session that is cancelled, moved or regenerated.

The schedules package sits below bookings and reaches these through
app/schedules/occupants.py; :func:`provide_to_schedules` hands them over at start-up.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy import delete, func, select

from ..extensions import db
from ..schedules.availability import slot_starts
from ..schedules.models import ReceptionSession, SlotHold
from ..schedules.notices import notify_cancelled, notify_rescheduled
from ..schedules.occupants import Occupants, provide
from .messages import session_notice_parts
from .models import OPEN_STATUSES, SLOTTED_STATUSES, Booking, BookingEvent, BookingStatus


def booking_counts(ids: list[int]) -> tuple[dict[int, int], dict[int, int]]:
    """({session id: open bookings}, {session id: all bookings}) in one query."""
    open_counts: dict[int, int] = defaultdict(int)
    all_counts: dict[int, int] = defaultdict(int)
    if ids:
        rows = db.session.execute(
            select(Booking.session_id, Booking.status, func.count(Booking.id))
            .where(Booking.session_id.in_(ids)).group_by(Booking.session_id, Booking.status))
        for session_id, status, count in rows:
            all_counts[session_id] += count
            if status in OPEN_STATUSES:
                open_counts[session_id] += count
    return open_counts, all_counts


def open_bookings(reception: ReceptionSession) -> list[Booking]:
    return list(db.session.scalars(select(Booking).where(
        Booking.session_id == reception.id, Booking.status.in_(OPEN_STATUSES))
        .order_by(Booking.id)))


def cancel_bookings(reception: ReceptionSession, reason: str, actor) -> int:
    """Cancel the open bookings of a cancelled session and tell their citizens."""
    bookings = open_bookings(reception)
    for booking in bookings:
        booking.status, booking.open_matter_key = BookingStatus.CANCELLED, None
        booking.ics_sequence += 1
        booking.history.append(BookingEvent(status=BookingStatus.CANCELLED,
                                            actor_id=getattr(actor, "id", None), note=reason))
        notify_cancelled(booking, reception, reason,
                         **session_notice_parts(booking, "session_cancelled"))
    return len(bookings)


def reslot_bookings(reception: ReceptionSession, old_start: datetime,
                    old_slot: int) -> tuple[int, int]:
    """Re-place the open bookings of a moved session and tell their citizens.

    Returns (how many bookings, how many were left without a slot).
    """
    bookings = list(db.session.scalars(select(Booking).where(
        Booking.session_id == reception.id, Booking.status.in_(OPEN_STATUSES))
        .order_by(Booking.slot_start.is_(None), Booking.slot_start, Booking.id)))
    db.session.execute(delete(SlotHold).where(SlotHold.session_id == reception.id))
    db.session.flush()
    unplaced = _replace_slots(reception, bookings, old_start, old_slot)
    for booking in bookings:
        booking.ics_sequence += 1
        notify_rescheduled(booking, reception, old_start,
                           **session_notice_parts(booking, "session_rescheduled"))
    return len(bookings), unplaced


def _replace_slots(reception: ReceptionSession, bookings: list[Booking],
                   old_start: datetime, old_slot: int) -> int:
    """Give each slotted booking its old slot number or the first free slot."""
    starts = slot_starts(reception)
    wanted: dict[int, int | None] = {}
    for booking in bookings:
        if booking.slot_start is not None and booking.status in SLOTTED_STATUSES:
            offset = booking.slot_start - old_start
            wanted[booking.id] = int(offset // timedelta(minutes=old_slot))
    taken: set[int] = set()
    placed: dict[int, int] = {}
    for booking_id, index in wanted.items():
        if index is not None and 0 <= index < len(starts) and index not in taken:
            placed[booking_id] = index
            taken.add(index)
    free = (i for i in range(len(starts)) if i not in taken)
    unplaced = 0
    for booking in bookings:
        if booking.id not in wanted:
            continue
        index = placed.get(booking.id)
        if index is None:
            index = next(free, None)
        if index is None:
            booking.slot_start, unplaced = None, unplaced + 1
            continue
        booking.slot_start = starts[index]
        db.session.add(SlotHold(session_id=reception.id, slot_start=starts[index],
                                booking_id=booking.id))
    db.session.flush()
    return unplaced


def provide_to_schedules(app: Flask) -> None:
    provide(app, Occupants(counts=booking_counts, open_in=open_bookings,
                           cancel=cancel_bookings, reslot=reslot_bookings))
