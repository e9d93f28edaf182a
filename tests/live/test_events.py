"""The /live namespace over real sockets: joins, refusals, queue, board, call_next."""

from __future__ import annotations

import pytest
import socketio as sio


def test_citizen_join_is_acknowledged_with_ticket(live_server, connect, room):
    citizen = connect(live_server, room.tokens[0])
    ack = citizen.call("join", {"session_id": room.id})
    assert ack["ok"] is True and ack["role"] == "citizen" and ack["ticket"] == "001"
    queue = citizen.wait_for("queue")
    assert queue == {"session_id": room.id, "ticket": "001", "position": 1, "ahead": 0,
                     "eta_seconds": queue["eta_seconds"], "state": "waiting"}


def test_host_and_secretary_join_as_staff_and_get_queue_state(live_server, connect, room):
    host = connect(live_server, room.host_token)
    secretary = connect(live_server, room.secretary_token)
    assert host.call("join", {"session_id": room.id}) == {"ok": True, "role": "host"}
    assert secretary.call("join", {"session_id": room.id}) == {"ok": True, "role": "secretary"}
    for staff in (host, secretary):
        state = staff.wait_for("queue_state")
        assert state["session_id"] == room.id and state["waiting"] == []
        assert state["current"] is None


def test_display_joins_without_credentials_and_sees_tickets_only(live_server, connect, room):
    citizen = connect(live_server, room.tokens[0])
    citizen.call("join", {"session_id": room.id})
    display = connect(live_server)
    assert display.call("join", {"session_id": room.id, "as": "display"}) == {
        "ok": True, "role": "display"}
    board = display.wait_for("board")
    assert board == {"session_id": room.id, "now_serving": None, "next": ["001"]}
    assert display.names() == {"board"}


def test_anonymous_join_without_display_is_refused(live_server, connect, room):
    anonymous = connect(live_server)
    ack = anonymous.call("join", {"session_id": room.id})
    assert ack["ok"] is False and ack["error"] == "unauthorized" and ack["message"]


def test_stranger_is_refused_and_stays_connected(live_server, connect, room):
    stranger = connect(live_server, room.outsider_token)
    ack = stranger.call("join", {"session_id": room.id})
    assert ack["ok"] is False and ack["error"] == "not_accepted" and ack["message"]
    assert stranger.client.connected
    assert stranger.call("echo", {"t": 5})["t"] == 5
    assert stranger.names() == set()


def test_wrong_token_is_refused_at_connect(live_server, monkeypatch):
    import functools

    import websocket

    # websocket-client would wait 3 s for a close frame from the refused connection.
    monkeypatch.setattr(websocket.WebSocket, "close", functools.partialmethod(
        websocket.WebSocket.close, timeout=0.05))
    client = sio.Client(reconnection=False)
    with pytest.raises(sio.exceptions.ConnectionError):
        client.connect(live_server.url, namespaces=["/live"], transports=["websocket"],
                       auth={"token": "not-a-token"}, wait_timeout=1)


@pytest.mark.parametrize("payload", [None, "x", {"session_id": "1"}, {"session_id": True},
                                     {"session_id": 999999}])
def test_bad_join_payloads_are_refused(live_server, connect, room, payload):
    citizen = connect(live_server, room.tokens[0])
    ack = citizen.call("join", payload)
    assert ack["ok"] is False and ack["error"] in ("bad_request", "not_found")


def test_citizen_cannot_use_host_events(live_server, connect, room):
    citizen = connect(live_server, room.tokens[0])
    citizen.call("join", {"session_id": room.id})
    for event in ("call_next", "finish", "announce", "close_session"):
        ack = citizen.call(event, {"session_id": room.id, "booking_id": room.bookings[0].id})
        assert ack["ok"] is False and ack["error"] == "forbidden"


def test_citizen_cannot_join_as_host(live_server, connect, room):
    citizen = connect(live_server, room.tokens[0])
    ack = citizen.call("join", {"session_id": room.id, "as": "host"})
    assert ack["ok"] is False and ack["error"] == "forbidden"


def test_secretary_cannot_call_next(live_server, connect, room):
    secretary = connect(live_server, room.secretary_token)
    secretary.call("join", {"session_id": room.id})
    assert secretary.call("call_next", {"session_id": room.id})["error"] == "forbidden"


def test_room_closed_long_before_the_start(live_server, connect, app, make):
    unit = make.make_unit()
    host = make.make_user("host", unit=unit)
    reception = make.make_reception(unit, host, starts_in_minutes=120)
    client = connect(live_server, make.token_for(host))
    ack = client.call("join", {"session_id": reception.id})
    assert ack["ok"] is False and ack["error"] == "room_closed"


def test_citizen_without_recording_consent_is_refused(live_server, connect, app, make, room):
    from app.extensions import db

    booking = make.make_booking(room.reception, room.outsider, slot_index=5)
    booking.consent_recording_at = None
    db.session.commit()
    ack = connect(live_server, room.outsider_token).call("join", {"session_id": room.id})
    assert ack["ok"] is False and ack["error"] == "consent_required"


def test_browser_session_cookie_identifies_the_citizen(live_server, connect, room, login):
    client = login(room.citizens[1])
    client.get(f"/live/{room.id}/room")
    cookie = client.get_cookie("session", domain="localhost")
    browser = connect(live_server, headers={"Cookie": f"session={cookie.value}"})
    ack = browser.call("join", {"session_id": room.id})
    assert ack["ok"] is True and ack["role"] == "citizen" and ack["ticket"] == "002"
