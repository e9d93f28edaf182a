"""The calendar invitation of a booking (RFC 5546): REQUEST, then CANCEL.

The event is the booking's VEVENT of the personal feed (app.calendar.events), with the
unit's reception board as organizer and the citizen as attendee: the same UID and
SEQUENCE, so calendar clients replace the event when it moves and strike it when it
is cancelled, whichever of the two they met first.
"""

from __future__ import annotations

import dataclasses

from flask import current_app
from flask_babel import gettext as _

from sessions.ical import EventData, build_invite

from ..bookings import errors as err
from ..bookings.models import Booking
from .events import booking_event, uid_domain


def invite_event(booking: Booking) -> EventData:
    """The booking's VEVENT, organised by the unit's reception board."""
    citizen = booking.citizen
    attendee = citizen.email or citizen.phone or f"citizen-{citizen.id}@{uid_domain()}"
    organizer = (current_app.config["MAIL_SENDER"],
                 _("Ban tiếp công dân – UBND %(unit)s", unit=booking.reception.unit.name))
    return dataclasses.replace(booking_event(booking), organizer=organizer,
                               attendees=((attendee, citizen.full_name),))


def booking_invite(booking: Booking) -> bytes:
    """METHOD:REQUEST while the booking stands, METHOD:CANCEL once it will not happen.

    409 invalid_state for a booking that never had a slot (waitlisted).
    """
    if booking.slot_start is None:
        raise err.invalid_state()
    event = invite_event(booking)
    return build_invite(event, "CANCEL" if event.status == "CANCELLED" else "REQUEST")


def imip_text(booking: Booking) -> str:
    """The invitation as the text of an e-mail's ``text/calendar`` part (RFC 6047).

    The bookings package calls it through app/bookings/invitation.py, in the citizen's
    language, when it writes a message about the booking.
    """
    return booking_invite(booking).decode()
