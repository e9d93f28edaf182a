"""What the live room settles on bookings: served after a turn, no-show at the close,
and saved minutes pushed to the session's staff (over real sockets)."""

from __future__ import annotations

import requests

from app.bookings.models import Booking, BookingEvent
from app.extensions import db


def _status(booking) -> str:
    db.session.expire_all()
    status = db.session.get(Booking, booking.id).status
    db.session.rollback()  # a read: free SQLite's write lock for the server
    return status


def _host(live_server, connect, room):
    host = connect(live_server, room.host_token)
    assert host.call("join", {"session_id": room.id})["ok"] is True
    return host


def _citizen(live_server, connect, room, index):
    citizen = connect(live_server, room.tokens[index])
    assert citizen.call("join", {"session_id": room.id})["ok"] is True
    return citizen


def test_finish_makes_the_booking_served_and_rating_possible(live_server, connect, room,
                                                             make):
    _citizen(live_server, connect, room, 0)
    host = _host(live_server, connect, room)
    assert host.call("call_next", {"session_id": room.id})["ticket"] == "001"
    assert _status(room.bookings[0]) == "accepted"
    assert host.call("finish", {"session_id": room.id,
                                "booking_id": room.bookings[0].id}) == {"ok": True}
    assert _status(room.bookings[0]) == "served"
    history = db.session.scalars(db.select(BookingEvent.status)
                                 .where(BookingEvent.booking_id == room.bookings[0].id)
                                 .order_by(BookingEvent.id)).all()
    db.session.rollback()
    assert history[-1] == "served"
    booking_id = room.bookings[0].id
    db.session.rollback()  # the id's reload opened a transaction: free the lock
    answer = requests.post(f"{live_server.url}/api/v1/bookings/{booking_id}/rating",
                           json={"score": 5, "comment": "Tận tình"},
                           headers={"Authorization": f"Bearer {room.tokens[0]}"}, timeout=10)
    assert answer.status_code == 201, answer.text


def test_a_refused_finish_changes_no_booking(live_server, connect, room):
    _citizen(live_server, connect, room, 0)
    host = _host(live_server, connect, room)
    ack = host.call("finish", {"session_id": room.id, "booking_id": room.bookings[0].id})
    assert ack["ok"] is False and ack["error"] == "invalid_state"
    assert _status(room.bookings[0]) == "accepted"


def test_call_next_serves_the_previous_turn(live_server, connect, room):
    _citizen(live_server, connect, room, 0)
    _citizen(live_server, connect, room, 1)
    host = _host(live_server, connect, room)
    host.call("call_next", {"session_id": room.id})
    assert host.call("call_next", {"session_id": room.id})["ticket"] == "002"
    assert [_status(b) for b in room.bookings] == ["served", "accepted", "accepted"]


def test_served_citizen_may_come_back_to_the_room(live_server, connect, room):
    citizen = _citizen(live_server, connect, room, 0)
    host = _host(live_server, connect, room)
    host.call("call_next", {"session_id": room.id})
    host.call("finish", {"session_id": room.id, "booking_id": room.bookings[0].id})
    citizen.close()
    again = connect(live_server, room.tokens[0])
    assert again.call("join", {"session_id": room.id})["ok"] is True
    again.wait_for("queue", lambda q: q["state"] == "done")


def test_close_marks_absent_citizens_and_keeps_the_waiting_ones(live_server, connect, room,
                                                                make):
    absent = make.make_booking(room.reception, make.make_user("citizen"), slot_index=3)
    db.session.commit()
    ids = [b.id for b in room.bookings]
    db.session.rollback()  # free SQLite's write lock for the server
    _citizen(live_server, connect, room, 0)   # served
    _citizen(live_server, connect, room, 1)   # called, then marked no-show
    _citizen(live_server, connect, room, 2)   # still waiting at the close
    host = _host(live_server, connect, room)
    host.call("call_next", {"session_id": room.id})
    host.call("finish", {"session_id": room.id, "booking_id": ids[0]})
    host.call("call_next", {"session_id": room.id})
    with db.engine.begin() as conn:  # the grace period is over
        conn.execute(db.text("UPDATE queue_entries SET called_at = called_at - "
                             "interval '1 hour' WHERE booking_id = :b")
                     if db.engine.dialect.name == "postgresql" else
                     db.text("UPDATE queue_entries SET called_at = datetime(called_at, "
                             "'-1 hour') WHERE booking_id = :b"), {"b": ids[1]})
    assert host.call("mark_no_show", {"session_id": room.id,
                                      "booking_id": ids[1]})["ok"] is True
    ack = host.call("close_session", {"session_id": room.id})
    assert ack["ok"] is True and ack["still_waiting"] == 1
    assert [_status(b) for b in room.bookings] == ["served", "no_show", "accepted"]
    assert _status(absent) == "no_show"


def test_saved_minutes_reach_the_staff_only(live_server, connect, room):
    host = _host(live_server, connect, room)
    secretary = connect(live_server, room.secretary_token)
    assert secretary.call("join", {"session_id": room.id, "as": "secretary"})["ok"] is True
    citizen = _citizen(live_server, connect, room, 0)
    display = connect(live_server)
    display.call("join", {"session_id": room.id, "as": "display"})
    booking_id = room.bookings[0].id
    db.session.rollback()  # free SQLite's write lock for the server
    answer = requests.put(f"{live_server.url}/api/v1/bookings/{booking_id}/minutes",
                          json={"content": "Bà Lan trình bày việc cấp sổ đỏ", "version": 0},
                          headers={"Authorization": f"Bearer {room.secretary_token}"},
                          timeout=10)
    assert answer.status_code == 200, answer.text
    pushed = host.wait_for("minutes", lambda m: m["booking_id"] == booking_id)
    assert pushed["content"] == "Bà Lan trình bày việc cấp sổ đỏ"
    assert pushed["version"] == 1 and pushed["session_id"] == room.id
    secretary.wait_for("minutes", lambda m: m["version"] == 1)
    citizen.call("echo", {})  # a round trip: anything sent before it has arrived
    display.call("echo", {})
    assert "minutes" not in citizen.names() and "minutes" not in display.names()
