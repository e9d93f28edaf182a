"""Checking in a citizen who came to a reception point, on their behalf.

The point's operator presses "Check in" at the desk: the citizen, who needs no phone,
enters the live queue exactly as by their own join (:func:`.services.check_in_citizen`:
the same ordering rules, idempotent), and everyone in the session gets the new queue
once the door has committed.
"""

from __future__ import annotations

from datetime import datetime

from ..audit.services import record_event
from ..bookings.models import Booking
from ..doors import after_commit
from . import rooms, services
from .window import require_open


def check_in_for(booking: Booking, *, actor, now: datetime) -> str | None:
    """Put ``booking``'s citizen in its session's queue, for ``actor`` (who checked that
    they may); returns the ticket. Raises CoreError ``room_closed`` outside the room's
    window, ``not_accepted`` / ``consent_required`` as a citizen's own join would."""
    reception = booking.reception
    require_open(reception, now)
    tickets, changed = services.check_in_citizen(reception, booking.citizen, now, booking.id)
    record_event("point_check_in", actor=actor, target=f"booking:{booking.id}",
                 session_id=reception.id, point=booking.point.code if booking.point else None)
    if changed:
        services.lock_reception(reception.id)  # its turn on the session's lock, to the commit
        session_id = reception.id
        after_commit(lambda: rooms.broadcast_queue(session_id))
    return tickets[0] if tickets else None
