"""Tests of app/live/turn.py and /live/ice-servers: STUN and coturn REST credentials."""

from __future__ import annotations

import base64
import hashlib
import hmac

from app.live.turn import ice_servers


def test_turn_credentials_follow_the_coturn_rest_scheme():
    config = {"ICE_SERVERS": "stun:a.example:3478, stun:b.example:3478",
              "TURN_URLS": "turn:t.example:3478?transport=udp", "TURN_SECRET": "s3cret"}
    stun, turn = ice_servers(config, 42, now=1_000)
    assert stun == {"urls": ["stun:a.example:3478", "stun:b.example:3478"]}
    assert turn["username"] == f"{1_000 + 12 * 3600}:42"
    expected = base64.b64encode(hmac.new(b"s3cret", turn["username"].encode(),
                                         hashlib.sha1).digest()).decode()
    assert turn["credential"] == expected and turn["urls"] == ["turn:t.example:3478?transport=udp"]


def test_without_turn_secret_only_stun_is_given():
    assert ice_servers({"ICE_SERVERS": "stun:a.example", "TURN_URLS": "turn:x"}, 1, 0) == [
        {"urls": ["stun:a.example"]}]


def test_ice_servers_endpoint_needs_a_signed_in_person(room, client, login):
    assert client.get("/live/ice-servers").status_code == 302
    data = login(room.citizens[0]).get("/live/ice-servers").get_json()
    assert data["iceServers"][0]["urls"]
