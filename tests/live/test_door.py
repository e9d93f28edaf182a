"""What every /live event passes first (app/live/door.py): rate limits per connection and
per address, and the nesting limit of payloads; over real sockets."""

from __future__ import annotations

import pytest
from socketio import packet as sio_packet

from app.live import door


@pytest.fixture
def limits(live_server):
    """Set the server's live limits: ``limits(LIVE_EVENT_BURST=5, ...)``; buckets emptied
    before and after, so that no other test inherits a drained address."""
    door.limiter.clear()

    def set_limits(**settings):
        live_server.app.config.update(settings)

    yield set_limits
    door.limiter.clear()


def _echoes(client, count: int) -> list[dict]:
    return [client.call("echo", {"t": n}) for n in range(count)]


def test_a_flood_on_one_connection_is_refused_and_the_connection_kept(
        live_server, connect, room, limits):
    limits(LIVE_EVENT_RATE=0.5, LIVE_EVENT_BURST=5)
    display = connect(live_server)
    acks = [display.call("join", {"session_id": room.id, "as": "display"}) for _ in range(8)]
    assert [a["ok"] for a in acks] == [True] * 5 + [False] * 3
    assert acks[-1]["error"] == "rate_limited" and "thử lại" in acks[-1]["message"]
    assert display.client.connected
    assert connect(live_server).call("echo", {"t": 1})["ok"]  # another connection passes


def test_many_connections_from_one_address_share_its_allowance(live_server, connect, room,
                                                               limits):
    limits(LIVE_ADDRESS_RATE=0.5, LIVE_ADDRESS_BURST=6)
    clients = [connect(live_server) for _ in range(3)]
    acks = [ack for client in clients for ack in _echoes(client, 3)]
    assert [a["ok"] for a in acks] == [True] * 6 + [False] * 3
    assert {a["error"] for a in acks[6:]} == {"rate_limited"}


def test_signal_has_its_own_larger_allowance(live_server, connect, room, limits):
    limits(LIVE_EVENT_RATE=0.5, LIVE_EVENT_BURST=5, LIVE_SIGNAL_RATE=0.5,
           LIVE_SIGNAL_BURST=30)
    anonymous = connect(live_server)
    acks = [anonymous.call("signal", {"session_id": room.id, "data": {"candidate": n}})
            for n in range(30)]
    assert {a["error"] for a in acks} == {"forbidden"}  # refused by the handler, not the door
    assert anonymous.call("signal", {"session_id": room.id, "data": {}})["error"] == \
        "rate_limited"
    assert anonymous.call("echo", {})["ok"]  # the other events' bucket is untouched


def test_the_default_limits_let_a_call_and_a_connection_test_through(live_server, connect,
                                                                      room, limits):
    """A connection test (5 echoes), a join and a burst of 100 ICE candidates."""
    citizen = connect(live_server, room.tokens[0])
    assert all(ack["ok"] for ack in _echoes(citizen, 5))
    assert citizen.call("join", {"session_id": room.id})["ok"]
    acks = [citizen.call("signal", {"session_id": room.id, "data": {"candidate": n}})
            for n in range(100)]
    assert {a["error"] for a in acks} == {"invalid_state"}  # nobody is in the call yet


class _RawPayload(sio_packet.Packet):
    """A client packet whose payload ``"RAW"`` is replaced by prepared JSON text (the
    client's encoder would itself fail on 50,000 levels)."""

    raw = ""

    def encode(self):
        return super().encode().replace('"RAW"', self.raw)


@pytest.mark.parametrize("raw", ["[" * 50_000 + "]" * 50_000,
                                 '{"t": 1, "x": ' + "[" * 40 + "]" * 40 + "}"])
def test_a_deeply_nested_payload_is_a_bad_request(live_server, connect, raw):
    client = connect(live_server)
    client.client.packet_class = type("Raw", (_RawPayload,), {"raw": raw})
    ack = client.call("echo", "RAW")
    client.client.packet_class = sio_packet.Packet
    assert ack["ok"] is False and ack["error"] == "bad_request"
    assert client.call("echo", {"t": 2})["t"] == 2


def test_full_buckets_are_forgotten():
    limiter = door.Limiter()
    assert limiter.admit({("sid", "a", "event"): (10, 2)}, now=0.0)
    assert limiter.admit({("sid", "b", "event"): (10, 2)}, now=100.0)
    assert len(limiter) == 1  # "a" had refilled: its bucket was dropped
