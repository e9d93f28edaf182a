"""Who may write or read the minutes of a case.

The secretaries of the session's unit (or of a unit above it) and its host (the
chairman, an acting host, a deputy of the unit) write them; inspectors of the unit
read them. Nobody else does, citizens included: the citizen sees the conclusion only,
through :func:`app.minutes.services.public_conclusion`.
"""

from __future__ import annotations

from ..auth.access import has_unit_role
from ..bookings.models import BookingStatus
from ..live.access import staff_role

#: Bookings whose minutes may be written: accepted, before or after the session.
EDITABLE_STATUSES = (BookingStatus.ACCEPTED, BookingStatus.SERVED)


def reception_role(user, reception) -> str | None:
    """``host`` or ``secretary`` when ``user`` works the session, else None."""
    return staff_role(user, reception)


def can_edit_minutes(user, booking) -> bool:
    return reception_role(user, booking.reception) in ("host", "secretary")


def can_read_minutes(user, booking) -> bool:
    return can_edit_minutes(user, booking) or has_unit_role(
        user, booking.reception.unit, "inspector")
