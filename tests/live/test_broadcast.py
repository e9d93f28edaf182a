"""Tests of the fan-out of app/live/rooms.py: coalesced sends, no WebSocket compression,
snapshots shared between broadcasts (docs/performance.md)."""

from __future__ import annotations

import pytest

from app.live import rooms, services
from app.timeutil import utcnow


@pytest.fixture
def sends(monkeypatch):
    """Record the sends instead of sending; background tasks wait in a list."""
    record = {"sends": [], "tasks": [], "during_first": 0}

    def fake_send(session_id):
        record["sends"].append(session_id)
        for _ in range(record["during_first"] if len(record["sends"]) == 1 else 0):
            rooms.broadcast_queue(session_id)  # changes that arrive while sending

    monkeypatch.setattr(rooms, "_send_queue", fake_send)
    monkeypatch.setattr(rooms.socketio, "start_background_task", record["tasks"].append)
    yield record
    rooms._flights.clear()


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
