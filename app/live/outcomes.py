"""What the live room settles on the bookings: served when a turn ends, absent at the close.

The queue entry says what happened in the room; the booking carries it on for the
rest of the case (the citizen's rating, the register, the dashboard):

* a turn that ends (``finish``, or ``call_next`` ending the current turn) makes the
  booking ``served``;
* a refusal at the session (:func:`refuse_in_session`: weapons, disorder, a threat...
  Law Art 9, Decree 154/2026 Art 4.1.a-d) makes the booking ``refused`` on that
  ground and takes the citizen out of the queue (state ``done``);
* closing the session makes ``no_show`` every accepted booking whose citizen never
  came in or did not answer the call; citizens still waiting keep ``accepted`` (the
  secretary moves them to another session).

These run inside the room's transaction *before* the queue change and its audit
event: they take the session's lock first, then the booking rows, then (through the
queue change) the audit table, so two hosts clicking at once wait for each other
instead of deadlocking, and a refused action rolls the bookings back too.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy import select

from sessions import queue
from sessions.errors import N_, CoreError
from sessions.rules import validate_refusal_ground

from ..audit.services import record_event
from ..bookings.messages import notify_booking
from ..bookings.models import Booking, BookingStatus
from ..bookings.slot_holds import change_status
from ..extensions import db
from ..rulebook import services as rulebook
from .models import QueueEntry
from .services import aware, lock_reception, save_transition, to_entry

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


def refuse_in_session(reception, booking_id: object, ground: object, *, actor,
                      now: datetime, note: str = "") -> str | None:
    """The host (or the session's secretary) refuses a citizen of the session on a
    ground that arises at the session; returns the citizen's ticket (None when not
    checked in yet).

    The accepted booking becomes ``refused`` with that ground, its queue entry (if
    any) ``done``; the citizen gets the refusal message and the change is audited.
    ``invalid_ground`` for an unknown ground or one judged at triage, ``not_found``
    for a booking of another session, ``invalid_state`` when it is no longer accepted.
    """
    ground = validate_refusal_ground(ground, "session", rulebook.refusal_grounds())
    if isinstance(booking_id, bool) or not isinstance(booking_id, int):
        raise CoreError("bad_request", N_("Thiếu hoặc sai mã lịch tiếp (booking_id)."),
                        field="booking_id")
    lock_reception(reception.id)
    booking = db.session.get(Booking, booking_id)
    if booking is None or booking.session_id != reception.id:
        raise CoreError("not_found", N_("Không tìm thấy công dân này trong buổi tiếp."),
                        field="booking_id")
    values = {"decided_by_id": actor.id, "decided_at": now, "decision_note": note,
              "decision_ground": ground}
    if booking.slot_start is not None:
        values["ics_sequence"] = Booking.ics_sequence + 1
    change_status(booking, (BookingStatus.ACCEPTED,), BookingStatus.REFUSED, actor=actor,
                  note=note, **values)
    row = db.session.scalar(select(QueueEntry).where(QueueEntry.session_id == reception.id,
                                                     QueueEntry.booking_id == booking.id))
    ticket = None
    if row is not None:
        ticket = row.ticket
        if row.state not in (queue.QueueState.DONE, queue.QueueState.NO_SHOW):
            entry = to_entry(row, booking.slot_start, reception)
            save_transition(row, replace(entry, state=queue.QueueState.DONE,
                                         finished_at=aware(now)),
                            actor_id=actor.id, now=now)
    notify_booking(booking, "booking_refused", note=note,
                   ground_text=rulebook.ground_text(ground),
                   written_notice=rulebook.needs_written_notice(ground))
    record_event("booking_refuse", actor=actor, target=f"booking:{booking.id}",
                 ground=ground, agency="", session_id=reception.id, ticket=ticket or "",
                 at_session=True)
    return ticket
