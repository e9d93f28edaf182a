"""Socket.IO rooms of the live namespace and the one function that broadcasts a queue.

Rooms of session ``S``:

| room | members | receives |
|---|---|---|
| ``session:S:staff`` | host and secretaries | ``queue_state``, ``announce``, ``room_status`` |
| ``session:S:host`` | the host (and acting host / deputy) | ``signal`` from the citizen |
| ``session:S:display`` | public displays | ``board``, ``room_status`` |
| ``session:S:citizens`` | every citizen who joined | ``announce``, ``room_status`` |
| ``user:U:session:S`` | all tabs of citizen ``U`` | their own ``queue``, ``ring``, ``signal`` from the host |
| ``session:S:point:P`` | operators of reception point ``P`` | ``point_state``, ``signal``, ``call_party`` |
| ``session:S:guest:N`` | the browser that opened invite ``N`` | ``guest_state``, ``signal``, ``call_party`` |

Broadcasting needs only ``socketio.emit(..., to=room, namespace="/live")``, so a
scheduler process can call :func:`broadcast_queue` too (through the Redis queue).
"""

from __future__ import annotations

import itertools
import logging
import threading
from datetime import timedelta
from functools import lru_cache

from engineio import packet as eio_packet
from flask import current_app, has_app_context
from socketio import packet as sio_packet
from socketio.pubsub_manager import PubSubManager

from sessions import queue

from ..bookings.models import Booking
from ..extensions import db, socketio
from ..timeutil import iso_local, utcnow
from . import fanout
from .services import Snapshot, load_snapshot
from .window import get_reception

NAMESPACE = "/live"
AUDIENCES = ("staff", "host", "display", "citizens")
log = logging.getLogger(__name__)


def decline_websocket_compression() -> None:
    """Never agree to per-message compression on the server's WebSockets.

    simple-websocket (the WebSocket server of the threading mode, and of gevent without
    gevent-websocket; called by create_app only then) accepts
    ``permessage-deflate`` whenever a client offers it, whatever ``websocket_compression``
    says; browsers and the Node client always offer it. For the small queue messages it
    costs ~40 % of the fan-out time and ~90 KB per connection (docs/performance.md).
    An extension whose ``accept`` returns None is left out of the handshake.
    """
    try:
        import simple_websocket.ws as ws
        from wsproto.extensions import PerMessageDeflate
    except ImportError:  # pragma: no cover - another WebSocket server
        return
    if getattr(ws.PerMessageDeflate, "declined", False):
        return

    class DeclinedPerMessageDeflate(PerMessageDeflate):
        declined = True

        def accept(self, offer):
            return None

    ws.PerMessageDeflate = DeclinedPerMessageDeflate


def room_name(session_id: int, audience: str, user_id: int | None = None) -> str:
    """The name of a room of session ``session_id``: an audience, or one citizen."""
    if audience == "citizen":
        if user_id is None:
            raise ValueError("a citizen's room needs the user id")
        return f"user:{user_id}:session:{session_id}"
    if audience not in AUDIENCES:
        raise ValueError(f"unknown audience {audience!r}")
    return f"session:{session_id}:{audience}"


def _current(snap: Snapshot) -> dict | None:
    active = snap.active()
    if not active:
        return None
    entry = max(active, key=lambda e: (e.called_at, e.booking_id))
    grace = timedelta(seconds=snap.rule.no_show_grace_seconds)
    return {"ticket": entry.ticket, "booking_id": entry.booking_id, "state": entry.state,
            "called_at": iso_local(entry.called_at), "started_at": iso_local(entry.started_at),
            "recalls": entry.recalls, "no_show_from": iso_local(entry.called_at + grace)}


@lru_cache(maxsize=8192)
def _waiting_item(entry: queue.Entry, rule: queue.QueueRule) -> tuple[tuple[str, object], ...]:
    """What ``queue_state`` says of a waiting entry, but its estimate. Entries and rules
    are immutable and shared between snapshots (services.to_entry), so after a call the
    998 unchanged entries of a thousand are not described again."""
    return (("ticket", entry.ticket), ("booking_id", entry.booking_id),
            ("priority", entry.is_priority), ("priority_flags", sorted(entry.priority)),
            ("checked_in_at", iso_local(entry.checked_in_at)),
            ("late", queue.is_late(entry, rule)), ("requeued", entry.requeued_at is not None))


def queue_state_payload(snap: Snapshot) -> dict:
    """The ``queue_state`` payload: the waiting list in queue order, and who is served."""
    waiting, closed = [], []
    by_id = {e.booking_id: e for e in snap.entries}
    for booking_id, position in snap.positions.items():
        entry = by_id[booking_id]
        if position.state == queue.QueueState.WAITING:
            item = dict(_waiting_item(entry, snap.rule))
            item["priority_flags"] = list(item["priority_flags"])  # each payload its own list
            item["eta_seconds"] = position.eta_seconds
            waiting.append(item)
        elif position.state in (queue.QueueState.DONE, queue.QueueState.NO_SHOW):
            closed.append({"ticket": entry.ticket, "booking_id": booking_id,
                           "state": position.state})
    unchecked = sum(e.state == queue.QueueState.BOOKED for e in snap.entries)
    return {"session_id": snap.reception_id, "waiting": waiting, "current": _current(snap),
            "closed": closed, "not_checked_in": unchecked,
            "no_show_grace_seconds": snap.rule.no_show_grace_seconds}


def board_payload(snap: Snapshot) -> dict:
    """The ``board`` payload: tickets only, never a name."""
    return {"session_id": snap.reception_id,
            **queue.board(snap.entries, snap.rule, positions=snap.positions)}


def _emit(event: str, payload: dict, to: str) -> None:
    """Send one event to one room: through the message queue when there is one (the
    other processes deliver it to their sockets too), else to this process's sockets."""
    manager = socketio.server.manager
    if isinstance(manager, PubSubManager):
        manager.emit(event, payload, NAMESPACE, room=to)
    else:
        _deliver_here(event, payload, to)


def _deliver_here(event: str, payload: dict, room: str) -> None:
    """Deliver one event to this process's sockets in ``room``: python-socketio's own path
    for an event without a callback (``Manager.emit``: one encoding, then each socket),
    without its search of the payload for binary data, which queue payloads never hold
    and which was 6 % of a call in a session of a thousand citizens (docs/performance.md)."""
    server = socketio.server
    message = None
    for _sid, eio_sid in server.manager.get_participants(NAMESPACE, room):
        if message is None:
            message = eio_packet.Packet(eio_packet.MESSAGE, server.packet_class(
                sio_packet.EVENT, namespace=NAMESPACE, data=[event, payload],
                binary=False).encode())
        server._send_eio_packet(eio_sid, message)


# Sessions whose queue this process is sending -> whether a change arrived meanwhile.
_flights: dict[int, _Flight] = {}
_flights_lock = threading.Lock()
YIELD_EVERY = 100  # personal messages between two yields of a long send
# Marks of this process's commits and reads, in their order; per session, the mark of
# the newest queue sent (a read's, or that of the change whose snapshot was sent).
_marks = itertools.count(1)
_newest_sent: dict[int, int] = {}


class _Flight:
    __slots__ = ("dirty",)

    def __init__(self) -> None:
        self.dirty = False


def broadcast_queue(session_id: int, snap: Snapshot | None = None) -> None:
    """Send everyone in session ``session_id`` their view of the queue, after a change.

    One query loads the entries and one pass computes every place (PERFORMANCE.md
    point 4); then each citizen gets a small personal ``queue`` event, the staff
    room one ``queue_state`` and the display room one ``board``. Call it after
    the commit. With a message queue, the other processes get one notice and send
    to their own sockets (app/live/fanout.py); this process sends to its own.

    ``snap``: the queue as the change's own transaction read it, under the session's
    lock and after its writes (every writer of a session's entries takes that lock, so
    it is the queue as committed): this process sends it without reading the queue
    again, unless it has already sent a newer one (:func:`_fly`).
    """
    mark = next(_marks)  # before any switch: the marks follow this process's commits
    manager = socketio.server.manager
    if fanout.notices(manager):
        # The caller has committed, but reading an expired object since then begins a
        # transaction, which on SQLite holds the write lock: end it, as publishing lets
        # other greenlets run, and one waiting for that lock would block the process.
        db.session.commit()
        manager.publish_queue_change(session_id)
    send_queue_locally(session_id, snap, mark)


def send_queue_locally(session_id: int, snap: Snapshot | None = None,
                       mark: int | None = None) -> None:
    """Send the queue of ``session_id`` to this process's sockets (all of them when
    there is no message queue).

    A change is sent at once, before the caller returns, unless this process is
    already sending the session's queue: then the caller returns at once, and one
    more send with a fresh snapshot follows the current one, in the background,
    for all the changes that arrived meanwhile. A long send yields to other
    requests every ``YIELD_EVERY`` messages, so a thousand citizens checking in at
    eight o'clock are coalesced into a few sends; without it every check-in re-sent
    every place, n² messages, and that join storm took minutes (docs/performance.md).
    """
    with _flights_lock:
        flight = _flights.get(session_id)
        if flight is not None:
            flight.dirty = True
            return
        flight = _flights[session_id] = _Flight()
    _fly(session_id, flight, snap, mark)


def _fly(session_id: int, flight: _Flight, snap: Snapshot | None = None,
         mark: int | None = None) -> None:
    """Send now; if changes arrived meanwhile, send again in the background.

    A change's own snapshot (``snap``, its commit marked ``mark``) is sent unless this
    process has already sent a newer queue of the session: one read after that commit,
    or the snapshot of a later change (changes of a session take turns on its lock, so
    a later change's snapshot holds every earlier one)."""
    sent = False
    try:
        with _flights_lock:
            flight.dirty = False  # what arrives from now on is not in this snapshot
        if snap is None or mark is None:
            _send_queue(session_id)
        elif _newest_sent.get(session_id, 0) < mark:
            _newest_sent[session_id] = mark
            _send_queue(session_id, snap)
        sent = True
    finally:
        with _flights_lock:
            again = sent and flight.dirty
            if not again:  # a failed send ends the flight: the next change sends again
                _flights.pop(session_id, None)
    if again:
        _send_again(session_id, flight)


def _send_again(session_id: int, flight: _Flight) -> None:
    app = current_app._get_current_object() if has_app_context() else None

    def task():
        try:
            if app is None:
                _fly(session_id, flight)
            else:
                with app.app_context():
                    _fly(session_id, flight)
        except Exception:  # noqa: BLE001 - a background task has nobody to tell
            log.exception("queue broadcast of session %s failed", session_id)

    socketio.start_background_task(task)


def _send_queue(session_id: int, snap: Snapshot | None = None) -> None:
    """Send the queue to this process's sockets: with a message queue, every other
    process does the same on the notice (app/live/fanout.py). Without ``snap``, the
    queue is read now."""
    present = socketio.server.manager.rooms.get(NAMESPACE, {})
    points, guests = _side_rooms(session_id, present)
    if not points and not guests and not any(room_name(session_id, audience) in present
                                             for audience in ("staff", "display", "citizens")):
        return  # nobody of this session is connected to this process
    if snap is None:
        reception = get_reception(session_id)
        if reception is None:
            return
        _newest_sent[session_id] = next(_marks)  # this read holds every commit before it
        snap = load_snapshot(reception, utcnow())
        db.session.commit()  # a read: end it before the sends (SQLite holds the write lock)
    state, board = queue_state_payload(snap), board_payload(snap)
    sides = _side_payloads(snap, points, guests)
    db.session.commit()  # a read: end it before the sends (SQLite holds the write lock)
    for event, payload, room in sides:
        _deliver_here(event, payload, room)
    sent = 0
    for booking_id, position in snap.positions.items():
        room = room_name(session_id, "citizen", snap.citizen_of[booking_id])
        if room not in present:
            continue  # not connected, or connected to another process, which sends it
        _deliver_here("queue", position.payload(session_id), room)
        sent += 1
        if sent % YIELD_EVERY == 0:
            socketio.sleep(0)  # let other requests in (and mark the flight dirty)
    _deliver_here("queue_state", state, room_name(session_id, "staff"))
    _deliver_here("board", board, room_name(session_id, "display"))


def _side_rooms(session_id: int, present) -> tuple[set[int], set[int]]:
    """The reception points and guests of the session with a socket in this process."""
    from .calls import guest_room, point_room

    points, guests = set(), set()
    prefix = f"session:{session_id}:"
    for room in present:
        if not isinstance(room, str) or not room.startswith(prefix):
            continue
        kind, _sep, number = room[len(prefix):].partition(":")
        if number.isdigit():
            if kind == "point" and room == point_room(session_id, int(number)):
                points.add(int(number))
            elif kind == "guest" and room == guest_room(session_id, int(number)):
                guests.add(int(number))
    return points, guests


def _side_payloads(snap: Snapshot, points: set[int], guests: set[int]) -> list:
    """(event, payload, room) of the ``point_state`` and ``guest_state`` of this process's
    points and guests (CONTRACT §10)."""
    from .calls import guest_room, guest_state_payloads, point_room, point_state_payloads

    return [("point_state", payload, point_room(snap.reception_id, point_id))
            for point_id, payload in point_state_payloads(snap, points).items()] + \
        [("guest_state", payload, guest_room(snap.reception_id, invite_id))
         for invite_id, payload in guest_state_payloads(snap, guests).items()]


def send_own_state(sid: str, session_id: int, role: str, user_id: int | None = None, *,
                   point_id: int | None = None, invite_id: int | None = None) -> None:
    """Send one joiner (socket ``sid``) their own view: ``queue``, ``queue_state``,
    ``board``, ``point_state`` or ``guest_state``."""
    reception = get_reception(session_id)
    snap = load_snapshot(reception, utcnow())
    if role in ("point", "guest"):
        messages = [(event, payload) for event, payload, _room in _side_payloads(
            snap, {point_id} if point_id else set(), {invite_id} if invite_id else set())]
    elif role == "citizen":
        messages = [("queue", position.payload(session_id))
                    for booking_id, position in snap.positions.items()
                    if snap.citizen_of[booking_id] == user_id]
    elif role in ("host", "secretary"):
        messages = [("queue_state", queue_state_payload(snap))]
    else:
        messages = [("board", board_payload(snap))]
    db.session.commit()  # a read: end it before the sends
    for event, payload in messages:
        _deliver_here(event, payload, sid)  # the joiner's socket is in this process


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
