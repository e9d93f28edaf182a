"""A /live connection works only while the token or web sign-in it was opened with
does (CONTRACT §7, app/live/credentials.py): real Socket.IO clients on real sockets."""

from __future__ import annotations

from app.extensions import db
from tests.factories import PASSWORD

NS = "/live"


def ended(ack: dict) -> bool:
    return ack.get("ok") is False and ack.get("error") == "unauthorized"


def test_a_revoked_token_is_refused_at_the_next_event(live_server, connect, room, api):
    live_server.app.config["LIVE_AUTH_RECHECK_SECONDS"] = 0
    host = connect(live_server, room.host_token)
    citizen = connect(live_server, room.tokens[0])
    assert host.call("join", {"session_id": room.id})["ok"]
    assert citizen.call("join", {"session_id": room.id})["ok"]

    api.client.post("/api/v1/auth/logout",
                    headers={"Authorization": f"Bearer {room.host_token}"})
    assert ended(host.call("call_next", {"session_id": room.id}))
    assert ended(host.call("echo", {}))  # and every event after it
    assert ended(host.call("join", {"session_id": room.id, "as": "display"}))
    assert citizen.call("echo", {})["ok"]  # other connections go on


def test_a_password_change_ends_the_connections_of_the_persons_tokens(live_server, connect,
                                                                      room, make):
    live_server.app.config["LIVE_AUTH_RECHECK_SECONDS"] = 0
    citizen = room.citizens[1]
    phone = connect(live_server, room.tokens[1])
    assert phone.call("join", {"session_id": room.id})["ok"]
    web = make.web_login_key(citizen)
    from app.auth.services import change_password
    from app.auth.websessions import parse_login_key

    assert change_password(citizen, PASSWORD, "mat-khau-moi-2027",
                           keep_login=parse_login_key(web)[2]) is None
    db.session.commit()
    assert ended(phone.call("echo", {}))


def test_an_ended_connection_gets_no_more_queue_messages(live_server, connect, room, api):
    live_server.app.config["LIVE_AUTH_RECHECK_SECONDS"] = 0
    secretary = connect(live_server, room.secretary_token)
    assert secretary.call("join", {"session_id": room.id})["ok"]
    api.client.post("/api/v1/auth/logout",
                    headers={"Authorization": f"Bearer {room.secretary_token}"})
    assert ended(secretary.call("echo", {}))
    seen = len([e for e in secretary.events if e[0] == "queue_state"])
    citizen = connect(live_server, room.tokens[2])
    assert citizen.call("join", {"session_id": room.id})["ok"]
    citizen.wait_for("queue")
    assert len([e for e in secretary.events if e[0] == "queue_state"]) == seen


def test_a_browser_connection_ends_with_its_web_sign_in(live_server, connect, room, client):
    live_server.app.config["LIVE_AUTH_RECHECK_SECONDS"] = 0
    citizen = room.citizens[0]
    assert client.post("/login", data={"username": citizen.email,
                                       "password": PASSWORD}).status_code == 302
    cookie = f"session={client.get_cookie('session').value}"
    browser = connect(live_server, headers={"Cookie": cookie})
    joined = browser.call("join", {"session_id": room.id})
    assert joined["ok"] and joined["role"] == "citizen"
    client.post("/logout")
    assert ended(browser.call("echo", {}))


def test_a_valid_token_is_checked_once_a_minute_not_at_every_event(live_server, connect, room,
                                                                   monkeypatch):
    from app.auth import services

    calls = []
    real = services.token_alive
    monkeypatch.setattr(services, "token_alive", lambda token: calls.append(token) or real(token))
    citizen = connect(live_server, room.tokens[0])
    for _ in range(5):
        assert citizen.call("echo", {})["ok"]
    assert len(calls) <= 1
