"""A booking's calendar invitation in its e-mails (iMIP, RFC 6047).

A booking has one VEVENT builder, ``booking_event`` in app/calendar/events.py, used by
``GET /bookings/<id>/invite.ics`` and the personal feed; the e-mails must carry the
same UID and SEQUENCE. app/calendar imports app/bookings and never the other way
round, so the calendar blueprint hands its invitation builder over at start-up
(:func:`provide`) and the messages call it through :func:`imip_part`.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app

_KEY = "booking_invitation"

#: Messages whose e-mail carries the invitation: METHOD:REQUEST while the booking
#: stands (accepted, given a slot from the waiting list, moved, reminded), METHOD:CANCEL
#: once it will not happen (cancelled by anyone, refused, redirected).
INVITING_KINDS = frozenset({
    "booking_accepted", "booking_promoted", "booking_rescheduled", "booking_reminder_24h",
    "booking_reminder_1h", "booking_cancelled", "booking_refused", "booking_redirected",
    "session_rescheduled", "session_cancelled",
})


def provide(app: Flask, build: Callable[[object], str]) -> None:
    """Register ``build(booking)``: the invitation's iCalendar text, with its METHOD."""
    app.extensions[_KEY] = build


def imip_part(booking, kind: str) -> str:
    """The iCalendar text an e-mail of ``kind`` about ``booking`` carries, else "".

    A booking that never had a slot (waitlisted) is in no calendar: nothing to send.
    """
    if kind not in INVITING_KINDS or booking.slot_start is None:
        return ""
    return current_app.extensions[_KEY](booking)
