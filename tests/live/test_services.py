"""Tests of app/live/services.py app/live/access.py and app/live/window.py: the queue kept in the database."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.live import services, window
from app.live.models import QueueEntry, QueueTransition
from app.timeutil import utcnow
from sessions.errors import CoreError


def _entries(reception):
    db.session.expire_all()
    return {e.ticket: e for e in db.session.scalars(
        select(QueueEntry).where(QueueEntry.session_id == reception.id))}


def _check_in_all(room, order=(0, 1, 2)):
    for index in order:
        services.check_in_citizen(room.reception, room.citizens[index], utcnow())
    db.session.commit()


def test_tickets_follow_slot_order_and_are_created_once(room, make):
    late_booker = make.make_user("citizen")
    make.make_booking(room.reception, late_booker, slot_index=None)
    assert services.ensure_entries(room.reception) == 4
    assert services.ensure_entries(room.reception) == 0
    entries = _entries(room.reception)
    assert [entries[t].booking_id for t in ("001", "002", "003")] == [
        b.id for b in room.bookings]
    assert entries["004"].state == "booked"


def test_check_in_is_idempotent_and_keeps_the_arrival_time(room):
    tickets, changed = services.check_in_citizen(room.reception, room.citizens[1], utcnow())
    db.session.commit()
    first = _entries(room.reception)["002"].checked_in_at
    again, changed_again = services.check_in_citizen(room.reception, room.citizens[1],
                                                     utcnow() + timedelta(minutes=1))
    assert (tickets, changed, again, changed_again) == (["002"], True, ["002"], False)
    assert _entries(room.reception)["002"].checked_in_at == first


def test_check_in_needs_an_accepted_booking(room, make):
    make.make_booking(room.reception, room.outsider, slot_index=6, status="pending")
    with pytest.raises(CoreError) as caught:
        services.check_in_citizen(room.reception, room.outsider, utcnow())
    assert caught.value.code == "not_accepted"


def test_check_in_needs_consent_to_recording(room):
    room.bookings[0].consent_recording_at = None
    with pytest.raises(CoreError) as caught:
        services.check_in_citizen(room.reception, room.citizens[0], utcnow())
    assert caught.value.code == "consent_required"


def test_call_next_finishes_the_current_turn_and_records_who_did_it(room):
    _check_in_all(room)
    first = services.call_next_citizen(room.reception, actor=room.host, now=utcnow())
    second = services.call_next_citizen(room.reception, actor=room.host, now=utcnow())
    db.session.commit()
    entries = _entries(room.reception)
    assert (first.ticket, second.ticket) == ("001", "002")
    assert (entries["001"].state, entries["002"].state) == ("done", "called")
    moves = db.session.execute(select(QueueTransition.from_state, QueueTransition.to_state,
                                      QueueTransition.actor_id)
                               .where(QueueTransition.entry_id == entries["001"].id)
                               .order_by(QueueTransition.id)).all()
    assert [tuple(m) for m in moves] == [("booked", "waiting", room.citizens[0].id),
                                         ("waiting", "called", room.host.id),
                                         ("called", "done", room.host.id)]
    assert room.reception.status == "live" and room.reception.opened_at is not None


def test_call_next_with_nobody_waiting_returns_none(room):
    assert services.call_next_citizen(room.reception, actor=room.host, now=utcnow()) is None


def test_no_show_only_after_the_grace_period(room):
    _check_in_all(room)
    called = services.call_next_citizen(room.reception, actor=room.host, now=utcnow())
    with pytest.raises(CoreError) as caught:
        services.apply_host_action(room.reception, called.booking_id, "mark_no_show",
                                   actor=room.host, now=utcnow())
    assert caught.value.code == "grace_not_over"
    later = utcnow() + timedelta(minutes=3)
    new = services.apply_host_action(room.reception, called.booking_id, "mark_no_show",
                                     actor=room.host, now=later)
    assert new.state == "no_show"


def test_a_no_show_who_comes_back_goes_to_the_back_once(room):
    _check_in_all(room)
    called = services.call_next_citizen(room.reception, actor=room.host, now=utcnow())
    services.apply_host_action(room.reception, called.booking_id, "mark_no_show",
                               actor=room.host, now=utcnow() + timedelta(minutes=3))
    services.check_in_citizen(room.reception, room.citizens[0], utcnow() + timedelta(minutes=4))
    db.session.commit()
    snap = services.load_snapshot(room.reception, utcnow())
    order = sorted(snap.positions.values(), key=lambda p: p.position)
    assert [p.ticket for p in order if p.state == "waiting"] == ["002", "003", "001"]


def test_host_action_on_unknown_booking_is_not_found(room):
    with pytest.raises(CoreError) as caught:
        services.apply_host_action(room.reception, 999999, "finish", actor=room.host,
                                   now=utcnow())
    assert caught.value.code == "not_found"


def test_finish_of_a_waiting_citizen_is_invalid_state(room):
    _check_in_all(room)
    with pytest.raises(CoreError) as caught:
        services.apply_host_action(room.reception, room.bookings[2].id, "finish",
                                   actor=room.host, now=utcnow())
    assert caught.value.code == "invalid_state"


def test_a_stale_entry_is_never_overwritten(room):
    from sessions import queue

    _check_in_all(room)
    snap = services.load_snapshot(room.reception, utcnow())
    row = snap.rows[room.bookings[0].id]
    entry = services.to_entry(row, room.bookings[0].slot_start, room.reception)
    called = queue.call(entry, services.aware(utcnow()))
    db.session.execute(db.update(QueueEntry).where(QueueEntry.id == row.id)
                       .values(state="called", called_at=utcnow())
                       .execution_options(synchronize_session=False))
    with pytest.raises(services.StaleEntry):
        services.save_transition(row, called, actor_id=room.host.id, now=utcnow())


def test_cancelled_booking_leaves_the_queue(room):
    _check_in_all(room)
    room.bookings[1].status = "cancelled"
    db.session.commit()
    snap = services.load_snapshot(room.reception, utcnow())
    assert sorted(p.ticket for p in snap.positions.values()) == ["001", "003"]


def test_close_is_refused_during_a_call_then_allowed(room):
    _check_in_all(room)
    called = services.call_next_citizen(room.reception, actor=room.host, now=utcnow())
    with pytest.raises(CoreError):
        services.close_reception(room.reception, actor=room.host, now=utcnow())
    services.apply_host_action(room.reception, called.booking_id, "finish", actor=room.host,
                               now=utcnow())
    assert services.close_reception(room.reception, actor=room.host, now=utcnow()) == 2
    assert room.reception.status == "held"
    assert not window.is_room_open(room.reception, utcnow())


def test_start_call_moves_the_called_citizen_into_the_call(room):
    _check_in_all(room)
    services.call_next_citizen(room.reception, actor=room.host, now=utcnow())
    assert services.start_citizen_call(room.reception, room.citizens[0], utcnow()) is True
    assert services.call_peer(room.reception) == (room.bookings[0].id, "001",
                                                  room.citizens[0].id)
    with pytest.raises(CoreError):
        services.start_citizen_call(room.reception, room.citizens[1], utcnow())
