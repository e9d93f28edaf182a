"""The live queue of a session, kept in QueueEntry rows so a restart loses no place.

Each operation loads the session's entries with one query, lets the pure core
(``sessions/queue.py``) decide, and saves each change with a conditional UPDATE
(``... WHERE id = :id AND state = :old``) plus a QueueTransition row. Services
flush, never commit; the Socket.IO handler commits, then broadcasts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from operator import attrgetter
from typing import Any

from sqlalchemy import or_, select, update

from sessions import queue
from sessions.errors import N_, CoreError
from sessions.queue import Entry, Position, QueueRule

from ..audit.services import record_event
from ..auth.models import User
from ..bookings.models import Booking, BookingStatus
from ..extensions import db
from ..schedules.models import OPEN_SESSION_STATUSES, ReceptionSession, SessionStatus
from .access import require_citizen_bookings
from .models import QueueEntry, QueueTransition
from .window import queue_rule

_TIMES = ("checked_in_at", "called_at", "started_at", "finished_at", "requeued_at")
_times_of = attrgetter(*_TIMES)


class StaleEntry(Exception):
    """A conditional UPDATE matched no row: someone else changed the entry first."""


def aware(moment: datetime | None) -> datetime | None:
    """A stored naive-UTC datetime as an aware one (what the core expects)."""
    return moment.replace(tzinfo=UTC) if moment is not None else None


def naive(moment: datetime | None) -> datetime | None:
    """An aware datetime as naive UTC (what the database stores)."""
    return moment.astimezone(UTC).replace(tzinfo=None) if moment is not None else None


def _flags(*texts: str) -> str:
    for text in texts:
        known = sorted(f for f in (text or "").split(",") if f in queue.PRIORITY_FLAGS)
        if known:
            return ",".join(known)
    return ""


@dataclass
class Snapshot:
    """One session's queue as loaded by one query, with every place computed once."""

    reception_id: int
    rule: QueueRule
    entries: list[Entry]
    rows: dict[int, Any]  # booking id -> row with the QueueEntry columns
    citizen_of: dict[int, int]
    positions: dict[int, Position] = field(default_factory=dict)

    def active(self) -> list[Entry]:
        return [e for e in self.entries if e.state in queue.ACTIVE_STATES]


def to_entry(row, slot_start: datetime | None, reception: ReceptionSession) -> Entry:
    """The core's view of a stored entry (a QueueEntry or a row with its columns)."""
    return _entry(row.booking_id, row.ticket, slot_start or reception.starts_at,
                  row.priority_flags, row.state, row.recalls, *_times_of(row))


@lru_cache(maxsize=4096)
def _entry(booking_id: int, ticket: str, slot_start: datetime, priority_flags: str, state: str,
           recalls: int, *times: datetime | None) -> Entry:
    """One Entry per distinct stored value: a broadcast after a call re-reads a thousand
    entries of which one or two changed, and building (validating) an Entry is most of
    the cost of a snapshot. Entries are immutable, so sharing them is safe."""
    return Entry(booking_id, ticket, aware(slot_start),
                 priority=frozenset(f for f in priority_flags.split(",") if f),
                 state=state, recalls=recalls,
                 **{name: aware(value) for name, value in zip(_TIMES, times, strict=True)})


# The columns of an entry, read as plain rows: a snapshot of a thousand citizens builds
# no ORM object (building them was a large share of a broadcast; docs/performance.md).
# The first eleven are _entry's arguments, in its order, so that a row's slice is its key.
_ENTRY_COLUMNS = (QueueEntry.booking_id, QueueEntry.ticket, Booking.slot_start,
                  QueueEntry.priority_flags, QueueEntry.state, QueueEntry.recalls,
                  *(getattr(QueueEntry, name) for name in _TIMES), QueueEntry.id)
_KEY = len(_ENTRY_COLUMNS) - 1


def load_snapshot(reception: ReceptionSession, now: datetime) -> Snapshot:
    """Every entry of the session (one query) and every place and estimate (one pass).

    Entries whose booking was cancelled or moved before the citizen was called
    are left out: they no longer hold a place. ``rows`` holds plain rows with the
    entry's columns (``id``, ``state``, ...), enough for :func:`save_transition`.
    The query runs on the session's connection without the ORM's result processing
    (a thousand rows per call in a full session).
    """
    rows = db.session.connection().execute(
        select(*_ENTRY_COLUMNS, Booking.citizen_id, Booking.status,
               Booking.session_id.label("booking_session_id"))
        .join(Booking, Booking.id == QueueEntry.booking_id)
        .where(QueueEntry.session_id == reception.id)).all()
    snap = Snapshot(reception.id, queue_rule(reception), [], {}, {})
    default_start = reception.starts_at
    entries, by_booking, citizen_of = snap.entries, snap.rows, snap.citizen_of
    for row in rows:
        if row.status != BookingStatus.ACCEPTED or row.booking_session_id != reception.id:
            if row.state in (queue.QueueState.BOOKED, queue.QueueState.WAITING):
                continue  # gone: no longer holds a place
        key = row[:_KEY]
        if key[2] is None:
            key = (*key[:2], default_start, *key[3:])
        entries.append(_entry(*key))
        by_booking[key[0]] = row
        citizen_of[key[0]] = row.citizen_id
    snap.positions = queue.estimate(entries, snap.rule, aware(now), reception.slot_minutes,
                                    starts_at=aware(reception.starts_at))
    return snap


def settled_snapshot(reception: ReceptionSession, now: datetime) -> Snapshot:
    """The session's queue after the caller's change, read under the session's lock
    (taken here if not yet), every accepted booking with its entry. Every writer of a
    session's entries holds that lock until its commit, so this is the queue as the
    caller's commit leaves it: the broadcast after the commit sends it as it is
    (app/live/rooms.py) instead of reading the queue again."""
    lock_reception(reception.id)
    ensure_entries(reception)
    return load_snapshot(reception, now)


def lock_reception(reception_id: int) -> None:
    """Serialise queue changes of one session (row lock on PostgreSQL; SQLite
    transactions already hold the write lock from BEGIN IMMEDIATE).

    ``FOR NO KEY UPDATE``, not ``FOR UPDATE``: a transaction that inserted a row
    referring to the session (a presence, a transition's entry) holds a key-share lock
    on it until its commit, which ``FOR UPDATE`` would wait for, and two check-ins each
    holding one while asking for the lock would deadlock."""
    db.session.execute(select(ReceptionSession.id).where(ReceptionSession.id == reception_id)
                       .with_for_update(key_share=True))


def save_transition(row, new: Entry, *, actor_id: int | None, now: datetime) -> None:
    """Store ``new`` if the row (a QueueEntry, or a snapshot row) still has the state it
    was read with, and log it."""
    values = {name: naive(getattr(new, name)) for name in _TIMES}
    values.update(state=new.state, recalls=new.recalls)
    result = db.session.execute(
        update(QueueEntry).where(QueueEntry.id == row.id, QueueEntry.state == row.state)
        .values(**values).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise StaleEntry(row.id)
    db.session.add(QueueTransition(entry_id=row.id, from_state=row.state, to_state=new.state,
                                   at=now, actor_id=actor_id))
    db.session.flush()
    if isinstance(row, QueueEntry):
        db.session.expire(row)


def _missing_bookings(reception: ReceptionSession) -> list:
    """Accepted bookings of the session without an entry in it (one query)."""
    return db.session.execute(
        select(Booking.id, Booking.priority_flags, User.priority_flags, QueueEntry)
        .join(User, User.id == Booking.citizen_id)
        .outerjoin(QueueEntry, QueueEntry.booking_id == Booking.id)
        .where(Booking.session_id == reception.id, Booking.status == BookingStatus.ACCEPTED,
               or_(QueueEntry.id.is_(None), QueueEntry.session_id != reception.id))
        .order_by(Booking.slot_start.is_(None), Booking.slot_start, Booking.id)).all()


def ensure_entries(reception: ReceptionSession) -> int:
    """Give every accepted booking of the session a queue entry and a ticket.

    Tickets follow slot order; bookings accepted later get the next numbers. An
    entry of a booking moved here from another session before check-in moves too.
    Returns how many entries were created or moved.
    """
    if not _missing_bookings(reception):
        return 0
    lock_reception(reception.id)
    missing = _missing_bookings(reception)
    tickets = db.session.scalars(select(QueueEntry.ticket)
                                 .where(QueueEntry.session_id == reception.id)).all()
    index = max((int(t) for t in tickets if t.isdigit()), default=0)
    changed = 0
    for booking_id, booking_flags, user_flags, moved in missing:
        if moved is not None and moved.state != queue.QueueState.BOOKED:
            continue  # checked in elsewhere: that session keeps it
        index += 1
        if moved is not None:
            moved.session_id, moved.ticket = reception.id, queue.ticket_for(index)
        else:
            db.session.add(QueueEntry(session_id=reception.id, booking_id=booking_id,
                                      ticket=queue.ticket_for(index),
                                      state=queue.QueueState.BOOKED,
                                      priority_flags=_flags(booking_flags, user_flags)))
        changed += 1
    db.session.flush()
    return changed


def check_in_citizen(reception: ReceptionSession, citizen: User, now: datetime,
                     booking_id: int | None = None) -> tuple[list[str], bool]:
    """The citizen enters the waiting room: (their tickets, whether the queue changed).

    Idempotent: a reconnect keeps the place. A no-show coming back is put at the
    back once; a finished case just sees its final state. A caller whose check-in
    changed the queue takes the session's lock (:func:`lock_reception`) as the last
    statement before its commit, as every change of a session's queue does before
    its commit; taken last, it is held only for the commit.
    """
    bookings = require_citizen_bookings(reception, citizen, booking_id)
    rows = _own_entries(reception, bookings)
    if len(rows) < len(bookings):  # not yet numbered: number every booking of the session
        ensure_entries(reception)
        rows = _own_entries(reception, bookings)
    rule, tickets, changed = queue_rule(reception), [], False
    for booking in bookings:
        row = rows.get(booking.id)
        if row is None:
            continue
        tickets.append(row.ticket)
        entry = to_entry(row, booking.slot_start, reception)
        try:
            new = queue.check_in(entry, aware(now), rule, aware(reception.starts_at),
                                 aware(reception.ends_at))
        except CoreError as exc:
            if exc.code in ("invalid_state", "already_requeued"):
                continue  # done, or a second no-show: they see their final state
            raise
        if new != entry:
            try:
                save_transition(row, new, actor_id=citizen.id, now=now)
                changed = True
            except StaleEntry:
                pass  # another tab of the same citizen checked in first
    return tickets, changed


def _own_entries(reception: ReceptionSession, bookings: list[Booking]) -> dict:
    return {r.booking_id: r for r in db.session.scalars(
        select(QueueEntry).where(QueueEntry.booking_id.in_([b.id for b in bookings]),
                                 QueueEntry.session_id == reception.id))}


def _open(reception: ReceptionSession, *, actor, now: datetime) -> bool:
    if reception.status != SessionStatus.SCHEDULED:
        return False
    reception.status, reception.opened_at = SessionStatus.LIVE, now
    record_event("session_opened", actor=actor, target=f"session:{reception.id}")
    return True


def call_next_citizen(reception: ReceptionSession, *, actor: User,
                      now: datetime) -> Entry | None:
    """Finish whoever is still called or in the call, then call the next citizen.

    Runs under the session's lock, so two hosts clicking at once call two citizens
    one after the other, never two for one turn. Opens the room if needed.
    """
    lock_reception(reception.id)
    snap = load_snapshot(reception, now)
    for entry in snap.active():
        save_transition(snap.rows[entry.booking_id], queue.finish(entry, aware(now)),
                        actor_id=actor.id, now=now)
    _open(reception, actor=actor, now=now)
    nxt = queue.next_to_call(snap.entries, snap.rule)
    if nxt is None:
        return None
    save_transition(snap.rows[nxt.booking_id], queue.call(nxt, aware(now)),
                    actor_id=actor.id, now=now)
    record_event("queue_called", actor=actor, target=f"booking:{nxt.booking_id}",
                 session_id=reception.id, ticket=nxt.ticket)
    return nxt


HOST_ACTIONS = {
    "recall": lambda entry, now, rule: queue.recall(entry, now),
    "mark_no_show": lambda entry, now, rule: queue.mark_no_show(entry, now, rule),
    "finish": lambda entry, now, rule: queue.finish(entry, now),
}


def apply_host_action(reception: ReceptionSession, booking_id: int, action: str, *,
                      actor: User, now: datetime) -> Entry:
    """Recall, mark as no-show or finish one citizen's turn (``invalid_state``,
    ``grace_not_over`` or ``not_found`` when the core or the data says no)."""
    lock_reception(reception.id)
    row, slot_start = db.session.execute(
        select(QueueEntry, Booking.slot_start).join(Booking, Booking.id == QueueEntry.booking_id)
        .where(QueueEntry.session_id == reception.id, QueueEntry.booking_id == booking_id)
    ).first() or (None, None)
    if row is None:
        raise CoreError("not_found", N_("Không tìm thấy công dân này trong hàng chờ."),
                        field="booking_id")
    entry = to_entry(row, slot_start, reception)
    new = HOST_ACTIONS[action](entry, aware(now), queue_rule(reception))
    save_transition(row, new, actor_id=actor.id, now=now)
    record_event(f"queue_{action}", actor=actor, target=f"booking:{booking_id}",
                 session_id=reception.id, ticket=row.ticket)
    return new


def start_citizen_call(reception: ReceptionSession, citizen: User, now: datetime) -> bool:
    """The called citizen joins the video call (called → in_call); False if already in."""
    lock_reception(reception.id)
    rows = db.session.execute(
        select(QueueEntry, Booking.slot_start).join(Booking, Booking.id == QueueEntry.booking_id)
        .where(QueueEntry.session_id == reception.id, Booking.citizen_id == citizen.id,
               QueueEntry.state.in_(queue.ACTIVE_STATES))).all()
    if not rows:
        raise CoreError("invalid_state", N_("Bạn chưa được mời vào cuộc gọi."))
    changed = False
    for row, slot_start in rows:
        if row.state == queue.QueueState.CALLED:
            entry = to_entry(row, slot_start, reception)
            save_transition(row, queue.start_call(entry, aware(now)), actor_id=citizen.id,
                            now=now)
            changed = True
    return changed


def open_reception(reception: ReceptionSession, *, actor: User, now: datetime) -> None:
    """The host opens the session (scheduled → live); idempotent."""
    if reception.status not in OPEN_SESSION_STATUSES:
        raise CoreError("invalid_state", N_("Buổi tiếp đã kết thúc hoặc đã bị hủy."))
    _open(reception, actor=actor, now=now)
    db.session.flush()


def close_reception(reception: ReceptionSession, *, actor: User, now: datetime) -> int:
    """The host closes the session (→ held); refused while a citizen is called or in
    the call. Returns how many citizens were still waiting (they are told)."""
    lock_reception(reception.id)
    if reception.status not in OPEN_SESSION_STATUSES:
        raise CoreError("invalid_state", N_("Buổi tiếp đã kết thúc hoặc đã bị hủy."))
    snap = load_snapshot(reception, now)
    if snap.active():
        raise CoreError("invalid_state", N_("Hãy kết thúc lượt tiếp đang diễn ra trước khi "
                                            "đóng buổi tiếp."))
    waiting = sum(1 for e in snap.entries if e.state == queue.QueueState.WAITING)
    reception.status, reception.closed_at = SessionStatus.HELD, now
    reception.opened_at = reception.opened_at or now
    record_event("session_closed", actor=actor, target=f"session:{reception.id}",
                 still_waiting=waiting)
    db.session.flush()
    return waiting


def call_peer(reception: ReceptionSession) -> tuple[int, str, int] | None:
    """(booking id, ticket, citizen id) of the citizen called or in the call, if any."""
    row = db.session.execute(
        select(QueueEntry.booking_id, QueueEntry.ticket, Booking.citizen_id)
        .join(Booking, Booking.id == QueueEntry.booking_id)
        .where(QueueEntry.session_id == reception.id,
               QueueEntry.state.in_(queue.ACTIVE_STATES))
        .order_by(QueueEntry.called_at.desc()).limit(1)).first()
    return tuple(row) if row else None
