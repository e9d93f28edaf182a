"""What the live room settles on the bookings: served when a turn ends, absent at the close.

The queue entry says what happened in the room; the booking carries it on for the
rest of the case (the citizen's rating, the register, the dashboard):

* a turn that ends (``finish``, or ``call_next`` ending the current turn) makes the
  booking ``served``;
* closing the session makes ``no_show`` every accepted booking whose citizen never
  came in or did not answer the call; citizens still waiting keep ``accepted`` (the
  secretary moves them to another session).

These run inside the room's transaction *before* the queue change and its audit
event: they take the session's lock first, then the booking rows, then (through the
queue change) the audit table, so two hosts clicking at once wait for each other
instead of deadlocking, and a refused action rolls the bookings back too.
"""

from __future__ import annotations

from sqlalchemy import select

from sessions import queue
from sessions.errors import CoreError

from ..bookings.models import Booking, BookingStatus
from ..bookings.slot_holds import change_status
from ..extensions import db
from .models import QueueEntry
from .services import lock_reception

#: Queue states after which the booking is settled at the close of the session.
ABSENT_STATES = (queue.QueueState.BOOKED, queue.QueueState.NO_SHOW)


def _accepted(reception, *where) -> list[tuple[Booking, str | None]]:
    lock_reception(reception.id)
    return list(db.session.execute(
        select(Booking, QueueEntry.state)
        .outerjoin(QueueEntry, (QueueEntry.booking_id == Booking.id)
                   & (QueueEntry.session_id == reception.id))
        .where(Booking.session_id == reception.id, Booking.status == BookingStatus.ACCEPTED,
               *where)
        .order_by(Booking.id)).all())


def _settle(booking: Booking, status: str, actor) -> bool:
    """Move one accepted booking to ``status``; False when it moved meanwhile."""
    try:
        change_status(booking, (BookingStatus.ACCEPTED,), status, actor=actor)
    except CoreError:
        return False  # cancelled or moved by someone else: nothing to settle
    return True


def _serve(bookings, actor) -> list[int]:
    return [b.id for b in bookings if _settle(b, BookingStatus.SERVED, actor)]


def serve_booking(reception, booking_id: int, *, actor) -> list[int]:
    """The host ends the turn of ``booking_id``: its booking becomes ``served``."""
    rows = _accepted(reception, Booking.id == booking_id,
                     QueueEntry.state.in_(queue.ACTIVE_STATES))
    return _serve([b for b, _state in rows], actor)


def serve_current(reception, *, actor) -> list[int]:
    """``call_next`` ends whoever is called or in the call: their bookings are served."""
    rows = _accepted(reception, QueueEntry.state.in_(queue.ACTIVE_STATES))
    return _serve([b for b, _state in rows], actor)


def settle_closed(reception, *, actor) -> dict[str, list[int]]:
    """The session closes: finished turns are ``served``, absent citizens ``no_show``."""
    settled: dict[str, list[int]] = {BookingStatus.SERVED: [], BookingStatus.NO_SHOW: []}
    for booking, state in _accepted(reception):
        if state == queue.QueueState.DONE:
            status = BookingStatus.SERVED
        elif state is None or state in ABSENT_STATES:
            status = BookingStatus.NO_SHOW
        else:
            continue  # waiting, or still in a turn (the close is then refused)
        if _settle(booking, status, actor):
            settled[status].append(booking.id)
    return settled
