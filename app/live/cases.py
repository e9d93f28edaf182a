"""What the consoles show besides the queue: the cases, the sessions, the test window."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.routing import BuildError

from sessions.queue import PRIORITY_LABELS, QueueState

from ..audit.services import record_event
from ..bookings.access import attachment_name, citizen_name, may_see_identity
from ..bookings.models import Booking, BookingStatus
from ..extensions import db
from ..schedules.models import HolidayOverride, ReceptionSession, SessionStatus
from ..timeutil import LOCAL_TZ, iso_local, to_local, to_utc_naive
from .access import staff_role
from .models import QueueEntry
from .recording import booking_recordings

UPCOMING_DAYS = 30
#: The cases a console lists: to be received, received, or absent at the close.
CASE_STATUSES = (BookingStatus.ACCEPTED, BookingStatus.SERVED, BookingStatus.NO_SHOW)


def _attachment_url(attachment) -> str | None:
    try:
        return url_for("bookings.attachment", attachment_id=attachment.id)
    except BuildError:
        return None


def staff_cases(reception: ReceptionSession, viewer) -> list[dict]:
    """Every case of the session with its ticket, for the host and secretary consoles.

    Each citizen is shown as app.bookings.access.may_see_identity allows the viewer;
    every denouncer shown to staff is audited.
    """
    rows = db.session.execute(
        select(Booking, QueueEntry.ticket, QueueEntry.state)
        .outerjoin(QueueEntry, (QueueEntry.booking_id == Booking.id)
                   & (QueueEntry.session_id == reception.id))
        .options(selectinload(Booking.citizen), selectinload(Booking.attachments))
        .where(Booking.session_id == reception.id, Booking.status.in_(CASE_STATUSES))
        .order_by(Booking.slot_start.is_(None), Booking.slot_start, Booking.id)).all()
    recordings = booking_recordings([b.id for b, _t, _s in rows])
    cases, revealed = [], []
    for booking, ticket, state in rows:
        visible = may_see_identity(viewer, booking)
        if visible and booking.is_denunciation:
            revealed.append(booking.id)
        cases.append(_case(reception, booking, ticket, state, visible,
                           recordings.get(booking.id, [])))
    if revealed:
        record_event("denouncer_revealed", actor=viewer, target=f"session:{reception.id}",
                     booking_ids=revealed)
    return cases


def _case(reception, booking: Booking, ticket, state, visible: bool, recordings) -> dict:
    # A viewer who may not see the identity gets neither the files' names nor the
    # recordings (face and voice), only that they exist.
    return {
        "booking_id": booking.id, "ticket": ticket, "state": state or QueueState.BOOKED,
        "tracking_code": booking.tracking_code, "citizen_name": citizen_name(booking, visible),
        "matter_type": booking.matter_type, "matter_field": booking.matter_field,
        "summary": booking.summary, "group_size": booking.group_size,
        "slot_start": iso_local(booking.slot_start), "join_from": booking.join_from_code,
        # The point's name; a free-text point typed before points were data otherwise.
        "satellite_point": booking.point.name if booking.point is not None
        else booking.satellite_point if booking.join_from == "satellite" else "",
        "priority": [str(PRIORITY_LABELS.get(f, f)) for f in booking.priority_flags.split(",")
                     if f],
        "attachments": [{"name": attachment_name(a, visible),
                         "url": _attachment_url(a) if visible else None}
                        for a in booking.attachments],
        "recordings": [{"id": r.id, "size": r.size, "sha256": r.sha256,
                        "url": url_for("live.recording_file", session_id=reception.id,
                                       recording_id=r.id) if visible else None}
                       for r in recordings],
    }


def console_sessions(user, now: datetime) -> list[tuple[ReceptionSession, str]]:
    """Today's and upcoming sessions ``user`` may host or assist, with that role."""
    local_midnight = to_local(now).replace(hour=0, minute=0, second=0, microsecond=0)
    start = to_utc_naive(local_midnight)
    found = db.session.scalars(
        select(ReceptionSession)
        .where(ReceptionSession.starts_at >= start,
               ReceptionSession.starts_at < start + timedelta(days=UPCOMING_DAYS),
               ReceptionSession.status != SessionStatus.CANCELLED)
        .order_by(ReceptionSession.starts_at).limit(500))
    listed = []
    for reception in found:
        role = staff_role(user, reception)
        if role:
            listed.append((reception, role))
    return listed[:100]


def _work_calendar():
    from sessions.workdays import WorkCalendar

    overrides = db.session.scalars(select(HolidayOverride)).all()
    return WorkCalendar(days_off=[o.day for o in overrides if o.kind == "off"],
                        workdays=[o.day for o in overrides if o.kind == "work"])


def connection_test_opens(reception: ReceptionSession) -> datetime:
    """When the connection test opens (naive UTC): the working day before the session."""
    day = to_local(reception.starts_at).date()
    try:
        before = _work_calendar().previous_working_day(day)
    except Exception:  # noqa: BLE001 - without the calendar, simply one day before
        before = day - timedelta(days=1)
    return to_utc_naive(datetime(before.year, before.month, before.day, tzinfo=LOCAL_TZ))
