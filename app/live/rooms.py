"""Socket.IO rooms of the live namespace and the one function that broadcasts a queue.

Rooms of session ``S``:

| room | members | receives |
|---|---|---|
| ``session:S:staff`` | host and secretaries | ``queue_state``, ``announce``, ``room_status`` |
| ``session:S:host`` | the host (and acting host / deputy) | ``signal`` from the citizen |
| ``session:S:display`` | public displays | ``board``, ``room_status`` |
| ``session:S:citizens`` | every citizen who joined | ``announce``, ``room_status`` |
| ``user:U:session:S`` | all tabs of citizen ``U`` | their own ``queue``, ``ring``, ``signal`` from the host |

Broadcasting needs only ``socketio.emit(..., to=room, namespace="/live")``, so a
scheduler process can call :func:`broadcast_queue` too (through the Redis queue).
"""

from __future__ import annotations

from datetime import timedelta

from sessions import queue

from ..bookings.models import Booking
from ..extensions import db, socketio
from ..timeutil import iso_local, utcnow
from .access import get_reception
from .services import Snapshot, load_snapshot

NAMESPACE = "/live"
AUDIENCES = ("staff", "host", "display", "citizens")


def room_name(session_id: int, audience: str, user_id: int | None = None) -> str:
    """The name of a room of session ``session_id``: an audience, or one citizen."""
    if audience == "citizen":
        if user_id is None:
            raise ValueError("a citizen's room needs the user id")
        return f"user:{user_id}:session:{session_id}"
    if audience not in AUDIENCES:
        raise ValueError(f"unknown audience {audience!r}")
    return f"session:{session_id}:{audience}"


def citizen_payloads(snap: Snapshot) -> list[tuple[int, dict]]:
    """(citizen id, ``queue`` payload) for every checked-in citizen."""
    return [(snap.citizen_of[booking_id], position.payload(snap.reception_id))
            for booking_id, position in snap.positions.items()]


def _current(snap: Snapshot) -> dict | None:
    active = snap.active()
    if not active:
        return None
    entry = max(active, key=lambda e: (e.called_at, e.booking_id))
    grace = timedelta(seconds=snap.rule.no_show_grace_seconds)
    return {"ticket": entry.ticket, "booking_id": entry.booking_id, "state": entry.state,
            "called_at": iso_local(entry.called_at), "started_at": iso_local(entry.started_at),
            "recalls": entry.recalls, "no_show_from": iso_local(entry.called_at + grace)}


def queue_state_payload(snap: Snapshot) -> dict:
    """The ``queue_state`` payload: the waiting list in queue order, and who is served."""
    waiting, closed = [], []
    by_id = {e.booking_id: e for e in snap.entries}
    for booking_id, position in snap.positions.items():
        entry = by_id[booking_id]
        if position.state == "waiting":
            waiting.append({
                "ticket": entry.ticket, "booking_id": booking_id,
                "priority": entry.is_priority, "priority_flags": sorted(entry.priority),
                "checked_in_at": iso_local(entry.checked_in_at),
                "late": queue.is_late(entry, snap.rule),
                "requeued": entry.requeued_at is not None,
                "eta_seconds": position.eta_seconds})
        elif position.state in ("done", "no_show"):
            closed.append({"ticket": entry.ticket, "booking_id": booking_id,
                           "state": position.state})
    return {"session_id": snap.reception_id, "waiting": waiting, "current": _current(snap),
            "closed": closed, "not_checked_in": sum(e.state == "booked" for e in snap.entries),
            "no_show_grace_seconds": snap.rule.no_show_grace_seconds}


def board_payload(snap: Snapshot) -> dict:
    """The ``board`` payload: tickets only, never a name."""
    return {"session_id": snap.reception_id, **queue.board(snap.entries, snap.rule)}


def _emit(event: str, payload: dict, to: str) -> None:
    socketio.emit(event, payload, to=to, namespace=NAMESPACE)


def broadcast_queue(session_id: int) -> None:
    """Send everyone in session ``session_id`` their view of the queue, after a change.

    One query loads the entries and one pass computes every place (PERFORMANCE.md
    point 4); then each citizen gets a small personal ``queue`` event, the staff
    room one ``queue_state`` and the display room one ``board``. Call it after
    the commit.
    """
    reception = get_reception(session_id)
    if reception is None:
        return
    snap = load_snapshot(reception, utcnow())
    personal = citizen_payloads(snap)
    state, board = queue_state_payload(snap), board_payload(snap)
    db.session.commit()  # a read: end it before the sends (SQLite holds the write lock)
    for citizen_id, payload in personal:
        _emit("queue", payload, room_name(session_id, "citizen", citizen_id))
    _emit("queue_state", state, room_name(session_id, "staff"))
    _emit("board", board, room_name(session_id, "display"))


def send_own_state(sid: str, session_id: int, role: str, user_id: int | None = None) -> None:
    """Send one joiner (socket ``sid``) their own view: ``queue``, ``queue_state`` or ``board``."""
    reception = get_reception(session_id)
    snap = load_snapshot(reception, utcnow())
    if role == "citizen":
        messages = [("queue", p) for c, p in citizen_payloads(snap) if c == user_id]
    elif role in ("host", "secretary"):
        messages = [("queue_state", queue_state_payload(snap))]
    else:
        messages = [("board", board_payload(snap))]
    db.session.commit()  # a read: end it before the sends
    for event, payload in messages:
        _emit(event, payload, sid)


def ring_citizen(session_id: int, booking_id: int, ticket: str) -> None:
    """Ring the citizen of ``booking_id`` again (the host recalled them)."""
    citizen_id = db.session.get(Booking, booking_id).citizen_id
    db.session.commit()
    _emit("ring", {"session_id": session_id, "ticket": ticket},
          room_name(session_id, "citizen", citizen_id))


def broadcast_room_status(session_id: int, status: str) -> None:
    """Tell every audience that the host opened (``live``) or closed (``held``) the room."""
    payload = {"session_id": session_id, "status": status}
    for audience in ("staff", "display", "citizens"):
        _emit("room_status", payload, room_name(session_id, audience))


def broadcast_announcement(session_id: int, message: str) -> None:
    """The host's message to every citizen waiting in the session (and the staff)."""
    payload = {"session_id": session_id, "message": message, "at": iso_local(utcnow())}
    for audience in ("citizens", "staff"):
        _emit("announce", payload, room_name(session_id, audience))
