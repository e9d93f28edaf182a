"""Scheduled work on bookings: reminders and expiry. Both are safe to run twice.

Each booking is claimed with a conditional UPDATE (``... WHERE reminded_24h_at IS
NULL``, ``... WHERE status = 'pending'``): of two runs, even concurrent ones on two
processes, exactly one gets the row and queues the message, which also carries a
dedupe key. The runner (app/jobs.py) commits.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update

from sessions.errors import CoreError

from ..audit.services import record_event
from ..extensions import db
from ..schedules.models import OPEN_SESSION_STATUSES, ReceptionSession
from ..timeutil import utcnow
from .messages import notify_booking
from .models import Booking, BookingStatus
from .slot_holds import change_status, release_slot
from .uploads import purge_orphans

# Never confirmed: what expire_unconfirmed closes once the session has ended.
EXPIRING_STATUSES = (BookingStatus.PENDING, BookingStatus.WAITLISTED)


def send_reminders(now: datetime | None = None) -> int:
    """Remind accepted citizens 24 hours and 1 hour before their slot; returns the count.

    A booking made less than an hour ahead gets only the 1-hour reminder; one made
    less than a day ahead gets the 24-hour reminder at once (it still says when).
    """
    now = now or utcnow()
    count = _remind("1h", now, now + timedelta(hours=1))
    count += _remind("24h", now + timedelta(hours=1), now + timedelta(hours=24))
    return count


def _remind(which: str, after: datetime, until: datetime) -> int:
    column = Booking.reminded_1h_at if which == "1h" else Booking.reminded_24h_at
    ids = list(db.session.scalars(
        select(Booking.id).join(ReceptionSession, ReceptionSession.id == Booking.session_id)
        .where(Booking.status == BookingStatus.ACCEPTED, column.is_(None),
               Booking.slot_start > after,
               Booking.slot_start <= until,
               ReceptionSession.status.in_(OPEN_SESSION_STATUSES))
        .order_by(Booking.slot_start)))
    sent = 0
    stamp = utcnow()
    for booking_id in ids:
        values = {column.key: stamp}
        if which == "1h":  # the day-before reminder is moot now
            values["reminded_24h_at"] = db.func.coalesce(Booking.reminded_24h_at, stamp)
        claimed = db.session.execute(
            update(Booking).where(Booking.id == booking_id, column.is_(None),
                                  Booking.status == BookingStatus.ACCEPTED)
            .values(**values).execution_options(synchronize_session=False)).rowcount
        if claimed != 1:
            continue
        booking = db.session.get(Booking, booking_id)
        db.session.refresh(booking)
        notify_booking(booking, f"booking_reminder_{which}", dedupe_key=(
            f"booking:{booking.id}:reminder_{which}:{booking.slot_start:%Y%m%d%H%M}"))
        sent += 1
    return sent


def expire_unconfirmed(now: datetime | None = None) -> int:
    """Close bookings never confirmed before their session ended; returns the count.

    Rule: a booking still ``pending`` (never triaged) or ``waitlisted`` (never given a
    slot) when its session has ended becomes ``cancelled`` with the note "expired",
    and the citizen gets an apology inviting them to book another session. A
    session that is merely under way is left alone: the secretary may still accept.
    """
    now = now or utcnow()
    ids = list(db.session.scalars(
        select(Booking.id).join(ReceptionSession, ReceptionSession.id == Booking.session_id)
        .where(Booking.status.in_(EXPIRING_STATUSES), ReceptionSession.ends_at <= now)
        .order_by(Booking.id)))
    expired = 0
    for booking_id in ids:
        booking = db.session.get(Booking, booking_id)
        values = {"ics_sequence": Booking.ics_sequence + 1} if booking.slot_start else {}
        try:
            change_status(booking, EXPIRING_STATUSES, BookingStatus.CANCELLED, note="expired",
                          **values)
        except CoreError:
            continue  # another run got there first
        release_slot(booking)
        notify_booking(booking, "booking_expired", dedupe_key=f"booking:{booking.id}:expired")
        expired += 1
    if expired:
        record_event("booking_expire", target="bookings", count=expired)
    purge_orphans()
    return expired
