"""Refusing a citizen at the session from the console (``refuse`` on /live)."""

from __future__ import annotations

import json

from sqlalchemy import select

from app.audit.models import AuditEvent
from app.bookings.models import Booking
from app.extensions import db
from app.live.models import QueueEntry
from app.notify.models import Notification


def _fresh(model, id_):
    db.session.rollback()  # see what the server committed
    return db.session.get(model, id_)


def test_the_host_refuses_a_waiting_citizen_on_a_session_ground(live_server, connect, room):
    citizen = connect(live_server, room.tokens[0])
    assert citizen.call("join", {"session_id": room.id})["ok"]
    citizen.wait_for("queue", lambda q: q["state"] == "waiting")
    host = connect(live_server, room.host_token)
    assert host.call("join", {"session_id": room.id})["ok"]
    booking_id = room.bookings[0].id
    ack = host.call("refuse", {"session_id": room.id, "booking_id": booking_id,
                               "ground": "weapons", "note": "Không giao nộp dao"})
    assert ack == {"ok": True}
    assert citizen.wait_for("queue", lambda q: q["state"] == "done")["ticket"] == "001"
    state = host.wait_for("queue_state", lambda s: not s["waiting"])
    assert state["current"] is None
    booking = _fresh(Booking, booking_id)
    assert (booking.status, booking.decision_ground) == ("refused", "weapons")
    assert booking.decided_by_id == room.host.id
    entry = db.session.scalar(select(QueueEntry).where(QueueEntry.booking_id == booking_id))
    assert entry.state == "done" and entry.finished_at is not None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "booking_refuse"))
    assert event.target == f"booking:{booking_id}"
    assert json.loads(event.detail)["ground"] == "weapons"
    message = db.session.scalar(select(Notification).where(
        Notification.kind == "booking_refused"))
    assert "vũ khí" in message.body and "Mẫu 01/TCD" not in message.body
    # Refusing again is refused: the booking is no longer accepted.
    again = host.call("refuse", {"session_id": room.id, "booking_id": booking_id,
                                 "ground": "weapons"})
    assert again["ok"] is False and again["error"] == "invalid_state"


def test_the_secretary_refuses_a_citizen_not_yet_in_the_room(live_server, connect, room):
    secretary = connect(live_server, room.secretary_token)
    assert secretary.call("join", {"session_id": room.id})["role"] == "secretary"
    ack = secretary.call("refuse", {"session_id": room.id, "booking_id": room.bookings[1].id,
                                    "ground": "disorder"})
    assert ack == {"ok": True}
    assert _fresh(Booking, room.bookings[1].id).status == "refused"
    # The citizen can no longer join: the booking is not accepted any more.
    citizen = connect(live_server, room.tokens[1])
    assert citizen.call("join", {"session_id": room.id})["ok"] is False


def test_refusals_that_are_not_allowed(live_server, connect, room):
    host = connect(live_server, room.host_token)
    host.call("join", {"session_id": room.id})
    booking_id = room.bookings[2].id
    for ground in ("already_settled", "khong_thich", None, 5):  # a triage ground, unknown
        ack = host.call("refuse", {"session_id": room.id, "booking_id": booking_id,
                                   "ground": ground})
        assert ack["ok"] is False and ack["error"] == "invalid_ground", ground
    ack = host.call("refuse", {"session_id": room.id, "booking_id": 999_999,
                               "ground": "weapons"})
    assert ack["ok"] is False and ack["error"] == "not_found"
    ack = host.call("refuse", {"session_id": room.id, "booking_id": booking_id,
                               "ground": "weapons", "note": ["x"]})
    assert ack["ok"] is False
    citizen = connect(live_server, room.tokens[2])
    citizen.call("join", {"session_id": room.id})
    ack = citizen.call("refuse", {"session_id": room.id, "booking_id": booking_id,
                                  "ground": "weapons"})
    assert ack["ok"] is False and ack["error"] == "forbidden"
    assert _fresh(Booking, booking_id).status == "accepted"
