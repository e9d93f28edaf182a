"""The calendar invitation of a booking (RFC 5546): REQUEST, then CANCEL.

The UID is stable per booking; the SEQUENCE is the booking's ``ics_sequence``,
bumped on every reschedule and on cancellation, so calendar clients replace the
event when it moves and strike it when it is cancelled.
"""

from __future__ import annotations

from datetime import UTC, timedelta
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _

from sessions.ical import EventData, build_invite

from . import errors as err
from .messages import external_url
from .models import Booking

CANCELLED_STATUSES = ("cancelled", "refused", "redirected")


def invite_host() -> str:
    """The host part of UIDs: the site's host, else the mail sender's domain."""
    site = urlsplit(current_app.config.get("SITE_URL") or "").hostname
    sender = current_app.config.get("MAIL_SENDER") or ""
    return site or sender.rpartition("@")[2] or "tiepcongdan.local"


def invite_uid(booking: Booking) -> str:
    return f"booking-{booking.id}@{invite_host()}"


def _aware(moment):
    return moment.replace(tzinfo=UTC)


def invite_event(booking: Booking) -> EventData:
    """The booking's slot as an EventData, organised by the unit's reception board."""
    reception, citizen = booking.reception, booking.citizen
    unit_name = reception.unit.name
    start = _aware(booking.slot_start)
    attendee = citizen.email or citizen.phone or f"citizen-{citizen.id}@{invite_host()}"
    location = reception.location or (_("Trực tuyến") if reception.mode == "online" else "")
    return EventData(
        uid=invite_uid(booking),
        summary=_("Tiếp công dân – UBND %(unit)s", unit=unit_name),
        starts_at=start, ends_at=start + timedelta(minutes=reception.slot_minutes),
        dtstamp=_aware(booking.updated_at), sequence=booking.ics_sequence,
        status="CONFIRMED" if booking.status in ("accepted", "served") else "TENTATIVE",
        description=_("Mã tra cứu: %(code)s", code=booking.tracking_code),
        location=location, url=external_url("bookings.mine"),
        organizer=(current_app.config["MAIL_SENDER"],
                   _("Ban tiếp công dân – UBND %(unit)s", unit=unit_name)),
        attendees=((attendee, citizen.full_name),))


def booking_invite(booking: Booking) -> bytes:
    """METHOD:REQUEST while the booking stands, METHOD:CANCEL once it is closed.

    409 invalid_state for a booking that never had a slot (waitlisted).
    """
    if booking.slot_start is None:
        raise err.invalid_state()
    method = "CANCEL" if booking.status in CANCELLED_STATUSES else "REQUEST"
    return build_invite(invite_event(booking), method)
