"""When the written refusal notice (form 01/TCD) of a refused booking is due.

Only a refusal on a ground with ``written_notice`` in the rulebook (Law Art 9.3 and
Decree 154/2026 Art 4.1.h) needs form 01/TCD, within 3 working days of the refusal
(Decree 154/2026 Art 4.3); the number of days is read from the rulebook and counted
on the holiday calendar the rest of the application uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app, url_for
from sqlalchemy import select

from sessions.rules import refusal_notice_deadline

from ..extensions import db
from ..rulebook import services as rulebook
from ..schedules.models import ReceptionSession
from ..schedules.working_days import work_calendar
from ..timeutil import local_today, to_local, to_utc_naive
from .models import Booking, BookingStatus
from .queries import units_below

#: Refusals listed on the triage page and the desk: those of the last weeks.
RECENT_DAYS = 30


@dataclass
class NoticeDue:
    """A refused booking whose form 01/TCD is due by ``due``."""

    booking: Booking
    due: date
    overdue: bool
    #: When form 01/TCD was first issued (downloaded), or None.
    issued_at: datetime | None = None


def notice_due(booking: Booking, today: date | None = None) -> NoticeDue | None:
    """The deadline of ``booking``'s written refusal notice, or None when none is due."""
    if (booking.status != BookingStatus.REFUSED or not booking.decision_ground
            or booking.decided_at is None
            or not rulebook.needs_written_notice(booking.decision_ground)):
        return None
    refused_on = to_local(booking.decided_at).date()
    days = rulebook.deadline_days("refusal_notice", refused_on)
    due = refusal_notice_deadline(refused_on, work_calendar(), days)
    issued = booking.refusal_notice_issued_at
    return NoticeDue(booking, due, issued is None and (today or local_today()) > due, issued)


def notices_due(unit_ids: set[int] | None, today: date | None = None,
                days: int = RECENT_DAYS) -> list[NoticeDue]:
    """Refusals of these units (None: every unit) in the last ``days`` days that need
    form 01/TCD not yet issued, by deadline."""
    today = today or local_today()
    codes = [g.code for g in rulebook.refusal_grounds() if g.written_notice]
    if not codes:
        return []
    start = today - timedelta(days=days)
    since = to_utc_naive(datetime(start.year, start.month, start.day))
    query = (select(Booking).join(ReceptionSession, ReceptionSession.id == Booking.session_id)
             .where(Booking.status == BookingStatus.REFUSED,
                    Booking.decision_ground.in_(sorted(set(codes))),
                    Booking.decided_at >= since,
                    Booking.refusal_notice_issued_at.is_(None))
             .order_by(Booking.decided_at, Booking.id))
    if unit_ids is not None:
        query = query.where(ReceptionSession.unit_id.in_(units_below(unit_ids)))
    found = [notice_due(b, today) for b in db.session.scalars(query)]
    return sorted((n for n in found if n is not None), key=lambda n: (n.due, n.booking.id))



def download_link(booking_id: int) -> str | None:
    """The form 01/TCD download of a refused booking, once that route exists."""
    if "bookings.refusal_notice_download" not in current_app.view_functions:
        return None
    return url_for("bookings.refusal_notice_download", id=booking_id)
