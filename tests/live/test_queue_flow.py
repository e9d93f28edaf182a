"""The queue over real sockets: order, calls, privacy, reconnect, restart, signal."""

from __future__ import annotations

import threading


def _join_all(server, connect, room, order=(2, 0, 1)):
    """Citizens join in ``order`` (not slot order); returns clients by slot index."""
    clients = {}
    for index in order:
        clients[index] = connect(server, room.tokens[index])
        assert clients[index].call("join", {"session_id": room.id})["ok"] is True
    return [clients[i] for i in sorted(clients)]


def _position(client, ticket, position, state="waiting"):
    return client.wait_for("queue", lambda q: q["ticket"] == ticket and q["position"] == position
                           and q["state"] == state)


def test_queue_is_in_slot_order_and_moves_after_call_next(live_server, connect, room):
    citizens = _join_all(live_server, connect, room)
    host = connect(live_server, room.host_token)
    host.call("join", {"session_id": room.id})
    state = host.wait_for("queue_state", lambda s: len(s["waiting"]) == 3)
    assert [w["ticket"] for w in state["waiting"]] == ["001", "002", "003"]
    assert state["waiting"][0]["booking_id"] == room.bookings[0].id
    ack = host.call("call_next", {"session_id": room.id})
    assert ack == {"ok": True, "ticket": "001", "booking_id": room.bookings[0].id}
    _position(citizens[0], "001", 0, "called")
    _position(citizens[1], "002", 1)
    _position(citizens[2], "003", 2)
    state = host.wait_for("queue_state", lambda s: s["current"] is not None)
    assert state["current"]["ticket"] == "001" and len(state["waiting"]) == 2


def test_call_next_finishes_the_current_turn_and_ends_with_null(live_server, connect, room):
    citizens = _join_all(live_server, connect, room)
    host = connect(live_server, room.host_token)
    host.call("join", {"session_id": room.id})
    tickets = [host.call("call_next", {"session_id": room.id})["ticket"] for _ in range(4)]
    assert tickets == ["001", "002", "003", None]
    _position(citizens[0], "001", 0, "done")
    _position(citizens[2], "003", 0, "done")


def test_citizen_receives_only_their_own_place(live_server, connect, room):
    citizens = _join_all(live_server, connect, room)
    host = connect(live_server, room.host_token)
    host.call("join", {"session_id": room.id})
    host.call("call_next", {"session_id": room.id})
    host.call("announce", {"session_id": room.id, "message": "Xin chờ trong giây lát"})
    for index, citizen in enumerate(citizens):
        citizen.wait_for("announce")
        own = f"{index + 1:03d}"
        assert citizen.names() <= {"queue", "announce"}
        for name, data in citizen.events:
            assert "booking_id" not in data and "waiting" not in data
            if name == "queue":
                assert data["ticket"] == own


def test_display_board_follows_calls_without_names(live_server, connect, room):
    _join_all(live_server, connect, room)
    display = connect(live_server)
    display.call("join", {"session_id": room.id, "as": "display"})
    host = connect(live_server, room.host_token)
    host.call("join", {"session_id": room.id})
    host.call("call_next", {"session_id": room.id})
    board = display.wait_for("board", lambda b: b["now_serving"] == "001")
    assert board == {"session_id": room.id, "now_serving": "001", "next": ["002", "003"]}
    names = {c.full_name for c in room.citizens}
    assert not any(name in str(display.events) for name in names)


def test_reconnect_restores_the_place(live_server, connect, room):
    citizens = _join_all(live_server, connect, room)
    _position(citizens[1], "002", 2)
    citizens[1].close()
    again = connect(live_server, room.tokens[1])
    ack = again.call("join", {"session_id": room.id})
    assert ack["ticket"] == "002"
    _position(again, "002", 2)


def test_restart_loses_no_place(restartable_server, connect, room):
    first = restartable_server()
    _join_all(first, connect, room)
    host = connect(first, room.host_token)
    host.call("join", {"session_id": room.id})
    host.call("call_next", {"session_id": room.id})
    second = restartable_server()
    expected = [("001", 0, "called"), ("002", 1, "waiting"), ("003", 2, "waiting")]
    for index, (ticket, position, state) in enumerate(expected):
        client = connect(second, room.tokens[index])
        assert client.call("join", {"session_id": room.id})["ticket"] == ticket
        _position(client, ticket, position, state)
    host = connect(second, room.host_token)
    host.call("join", {"session_id": room.id})
    assert host.call("call_next", {"session_id": room.id})["ticket"] == "002"


def test_signal_is_relayed_only_between_host_and_called_citizen(live_server, connect, room):
    citizens = _join_all(live_server, connect, room)
    host = connect(live_server, room.host_token)
    secretary = connect(live_server, room.secretary_token)
    host.call("join", {"session_id": room.id})
    secretary.call("join", {"session_id": room.id})
    host.call("call_next", {"session_id": room.id})
    assert host.call("signal", {"session_id": room.id, "data": {"sdp": "offer"}})["ok"]
    got = citizens[0].wait_for("signal")
    assert got["data"] == {"sdp": "offer"} and got["from"] == "host"
    assert citizens[0].call("signal", {"session_id": room.id, "data": {"sdp": "answer"}})["ok"]
    assert host.wait_for("signal")["data"] == {"sdp": "answer"}
    refused = citizens[1].call("signal", {"session_id": room.id, "data": {"sdp": "x"}})
    assert refused["ok"] is False and refused["error"] == "forbidden"
    host.call("echo", {})  # a round trip: anything relayed has arrived by now
    assert "signal" not in citizens[1].names() | citizens[2].names() | secretary.names()
    assert [d["data"] for n, d in host.events if n == "signal"] == [{"sdp": "answer"}]


def test_two_host_consoles_calling_at_once_call_one_citizen_each_in_turn(live_server, connect,
                                                                        room):
    """The acting host with two consoles open (only the acting host hosts)."""
    from app.extensions import db
    from app.live.models import QueueEntry

    _join_all(live_server, connect, room)
    hosts = [connect(live_server, room.host_token), connect(live_server, room.host_token)]
    for host in hosts:
        assert host.call("join", {"session_id": room.id})["role"] == "host"
    acks = [None, None]
    threads = [threading.Thread(target=lambda i=i: acks.__setitem__(
        i, hosts[i].call("call_next", {"session_id": room.id}))) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(a["ticket"] for a in acks) == ["001", "002"]
    db.session.expire_all()
    states = dict(db.session.execute(db.select(QueueEntry.ticket, QueueEntry.state)).all())
    assert states == {"001": "done", "002": "called", "003": "waiting"}


def test_a_broadcast_from_outside_a_handler_reaches_the_room(live_server, connect, room):
    """What the scheduler process does: change the queue, commit, broadcast_queue()."""
    from app.extensions import db
    from app.live import rooms, services
    from app.timeutil import utcnow

    citizen = connect(live_server, room.tokens[1])
    citizen.call("join", {"session_id": room.id})
    services.check_in_citizen(room.reception, room.citizens[0], utcnow())
    db.session.commit()
    rooms.broadcast_queue(room.id)
    _position(citizen, "002", 2)


def test_recall_rings_and_no_show_waits_for_the_grace(live_server, connect, room):
    citizens = _join_all(live_server, connect, room)
    host = connect(live_server, room.host_token)
    host.call("join", {"session_id": room.id})
    booking_id = host.call("call_next", {"session_id": room.id})["booking_id"]
    early = host.call("mark_no_show", {"session_id": room.id, "booking_id": booking_id})
    assert early["ok"] is False and early["error"] == "grace_not_over" and early["message"]
    assert host.call("recall", {"session_id": room.id, "booking_id": booking_id}) == {"ok": True}
    assert citizens[0].wait_for("ring") == {"session_id": room.id, "ticket": "001"}
    assert "ring" not in citizens[1].names()


def test_closing_the_session_tells_everyone_and_closes_the_room(live_server, connect, room):
    citizens = _join_all(live_server, connect, room, order=(0,))
    display = connect(live_server)
    display.call("join", {"session_id": room.id, "as": "display"})
    host = connect(live_server, room.host_token)
    host.call("join", {"session_id": room.id})
    assert host.call("open_session", {"session_id": room.id})["status"] == "live"
    closed = host.call("close_session", {"session_id": room.id})
    assert closed == {"ok": True, "status": "held", "still_waiting": 1}
    for client in (citizens[0], display):
        client.wait_for("room_status", lambda s: s["status"] == "held")
    assert host.call("call_next", {"session_id": room.id})["error"] == "room_closed"
