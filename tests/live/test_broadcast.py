"""Tests of the fan-out of app/live/rooms.py: coalesced sends, no WebSocket compression,
snapshots shared between broadcasts (docs/performance.md)."""

from __future__ import annotations

import pytest

from app.live import rooms, services
from app.timeutil import utcnow


@pytest.fixture
def sends(monkeypatch):
    """Record the sends instead of sending; background tasks wait in a list."""
    record = {"sends": [], "tasks": [], "during_first": 0, "snaps": []}

    def fake_send(session_id, snap=None):
        record["sends"].append(session_id)
        if snap is not None:
            record["snaps"].append((session_id, snap))
        for _ in range(record["during_first"] if len(record["sends"]) == 1 else 0):
            rooms.broadcast_queue(session_id)  # changes that arrive while sending

    monkeypatch.setattr(rooms, "_send_queue", fake_send)
    monkeypatch.setattr(rooms.socketio, "start_background_task", record["tasks"].append)
    yield record
    rooms._flights.clear()
    rooms._newest_sent.clear()


def test_changes_during_a_send_are_coalesced_into_one_fresh_send(app, sends):
    sends["during_first"] = 3
    with app.app_context():
        rooms.broadcast_queue(7)
    assert sends["sends"] == [7]  # the three changes did not send on their own
    assert len(sends["tasks"]) == 1  # one trailing send for all three
    sends["tasks"].pop()()
    assert sends["sends"] == [7, 7]
    assert rooms._flights == {}
    with app.app_context():
        rooms.broadcast_queue(7)  # a change after a quiet moment is sent at once
    assert sends["sends"] == [7, 7, 7] and not sends["tasks"]


def test_sessions_do_not_wait_for_each_other(app, sends):
    with app.app_context():
        rooms.broadcast_queue(1)
        rooms.broadcast_queue(2)
    assert sends["sends"] == [1, 2] and not sends["tasks"]


def test_a_change_sends_the_snapshot_of_its_own_transaction(app, sends):
    with app.app_context():
        rooms.broadcast_queue(7, "the queue as committed")
    assert sends["snaps"] == [(7, "the queue as committed")]


def test_a_snapshot_older_than_the_queue_already_sent_is_not_sent(app, sends):
    older = next(rooms._marks)  # a change commits...
    rooms._newest_sent[7] = next(rooms._marks)  # ...then a read after it is sent first
    with app.app_context():
        flight = rooms._flights[7] = rooms._Flight()
        rooms._fly(7, flight, "older queue", older)
        assert sends["sends"] == [] and rooms._flights == {}
        rooms.broadcast_queue(7, "newer queue")  # a later change's snapshot is sent
    assert sends["snaps"] == [(7, "newer queue")]


def test_a_change_during_a_send_is_sent_from_a_fresh_read(app, sends):
    sends["during_first"] = 1
    with app.app_context():
        rooms.broadcast_queue(7, "first change")  # a second change arrives meanwhile
        sends["tasks"].pop()()
    assert sends["sends"] == [7, 7] and sends["snaps"] == [(7, "first change")]


def test_a_failed_send_ends_the_flight(app, monkeypatch):
    def broken(session_id):
        raise RuntimeError("database gone")

    monkeypatch.setattr(rooms, "_send_queue", broken)
    with app.app_context(), pytest.raises(RuntimeError):
        rooms.broadcast_queue(9)
    assert 9 not in rooms._flights  # the next change tries again


def test_websocket_compression_is_declined(app):
    # The threading mode of the tests serves WebSockets with simple-websocket: create_app
    # declined the extension (gevent with gevent-websocket never offers it).
    import simple_websocket.ws as ws
    from wsproto.handshake import server_extensions_handshake

    offer = ["permessage-deflate; client_max_window_bits"]
    assert server_extensions_handshake(offer, [ws.PerMessageDeflate()]) is None


def test_snapshot_rows_are_saved_and_entries_are_shared(room):
    for citizen in room.citizens:
        services.check_in_citizen(room.reception, citizen, utcnow())
    services.db.session.commit()
    first = services.load_snapshot(room.reception, utcnow())
    second = services.load_snapshot(room.reception, utcnow())
    assert [e is f for e, f in zip(first.entries, second.entries, strict=True)] == [True] * 3
    called = services.call_next_citizen(room.reception, actor=room.host, now=utcnow())
    services.db.session.commit()
    third = services.load_snapshot(room.reception, utcnow())
    states = {e.booking_id: e.state for e in third.entries}
    assert states[called.booking_id] == "called"
    assert sorted(states.values()) == ["called", "waiting", "waiting"]


def test_a_call_reads_the_queue_once_after_its_change(live_server, connect, room,
                                                      monkeypatch):
    """The call's transaction reads the queue before the call and once after it, under
    the session's lock; the turn-near check and the broadcast share that second read."""
    host = connect(live_server, room.host_token)
    citizens = [connect(live_server, token) for token in room.tokens]
    host.call("join", {"session_id": room.id})
    for citizen in citizens:
        citizen.call("join", {"session_id": room.id})
    host.wait_for("queue_state", lambda s: len(s["waiting"]) == 3)
    reads = []
    real = services.load_snapshot

    def counted(*args, **kwargs):
        reads.append(args[0].id)
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "load_snapshot", counted)
    monkeypatch.setattr(rooms, "load_snapshot", counted)
    assert host.call("call_next", {"session_id": room.id})["ticket"] == "001"
    assert citizens[0].wait_for("queue", lambda q: q["state"] == "called")["ticket"] == "001"
    assert citizens[2].wait_for("queue", lambda q: q["position"] == 2)["ticket"] == "003"
    state = host.wait_for("queue_state", lambda s: s["current"] is not None)
    assert state["current"]["ticket"] == "001" and len(state["waiting"]) == 2
    assert reads == [room.id, room.id]
