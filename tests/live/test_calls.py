"""Reception points and guests in a call (CONTRACT §10), over real sockets.

A point's operator joins ``as: "point"`` and follows its citizens (``point_state``); when
the host calls one of them the call's ``signal`` runs between the host and the point. A
host or secretary invites one more person by a one-time link; the guest's browser joins
with the link and enters the call; ``signal`` goes only among the call's parties.
"""

from __future__ import annotations

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
import socketio as sio

from tests.live.conftest import NS, Recorder, release_database


def _make_point(make, unit, code="XA-01"):
    from app.extensions import db
    from app.points.models import ReceptionPoint

    point = ReceptionPoint(code=code, unit_id=unit.id, name=f"Điểm cầu {code}",
                           address="UBND xã", kind="satellite")
    db.session.add(point)
    db.session.flush()
    return point


def _operator(make, unit, point):
    user = make.make_user("operator", unit=unit)
    user.roles[0].point_id = point.id
    from app.extensions import db

    db.session.flush()
    return user


@pytest.fixture
def pointed(room, make):
    """The room, with the first citizen joining from a reception point and its operator;
    another point without citizens and its operator."""
    from app.extensions import db

    point = _make_point(make, room.unit)
    other = _make_point(make, room.unit, "XA-02")
    operator, idle = _operator(make, room.unit, point), _operator(make, room.unit, other)
    room.bookings[0].point_id = point.id
    db.session.commit()
    return SimpleNamespace(room=room, point=point, operator=operator,
                           token=make.token_for(operator), idle_token=make.token_for(idle))


class Guest(Recorder):
    """A guest's browser: connects with the link's token and the key of its first opening."""

    def __init__(self, url: str, token: str, key: str | None):
        self.events = []
        import threading

        self._changed = threading.Condition()
        self.client = sio.Client(reconnection=False)
        self.client.on("*", self._record, namespace=NS)
        release_database()
        self.client.connect(url, namespaces=[NS], transports=["websocket"],
                            auth={"guest": token, "key": key}, wait_timeout=10)


def _invite(api, booking, user, role="interpreter", name="Nguyễn Văn A"):
    return api.post(f"/bookings/{booking.id}/call-invites", user=user,
                    json={"role": role, "name": name})


def _open_link(app, url: str):
    """A browser opens the link: (its test client, the key the page gives it)."""
    browser = app.test_client()
    page = browser.get(url.removeprefix("http://localhost"))
    assert page.status_code == 200, page.data
    key = re.search(r'data-key="([^"]+)"', page.get_data(as_text=True)).group(1)
    return browser, key


def _token_of(url: str) -> str:
    return url.rsplit("/", 1)[1]


# --- reception points ---------------------------------------------------------------

def test_point_joins_and_follows_its_citizens(live_server, connect, pointed):
    room = pointed.room
    point = connect(live_server, pointed.token)
    ack = point.call("join", {"session_id": room.id, "as": "point"})
    assert ack == {"ok": True, "role": "point", "point_code": "XA-01"}
    first = point.wait_for("point_state")
    assert first == {"session_id": room.id, "point_code": "XA-01", "citizens": [
        {"ticket": "001", "booking_id": room.bookings[0].id, "state": "expected"}]}
    assert point.call("point_check_in", {"session_id": room.id,
                                         "booking_id": room.bookings[0].id})["changed"]
    point.wait_for("point_state", lambda p: p["citizens"][0]["state"] == "waiting")
    # A booking of another point (or from home) is not the point's to check in.
    refused = point.call("point_check_in", {"session_id": room.id,
                                            "booking_id": room.bookings[1].id})
    assert refused["ok"] is False and refused["error"] == "not_found"
    host = connect(live_server, room.host_token)
    host.call("join", {"session_id": room.id})
    assert host.call("call_next", {"session_id": room.id})["booking_id"] == room.bookings[0].id
    point.wait_for("point_state", lambda p: p["citizens"][0]["state"] == "called")
    # Only the point's own citizens: never the others of the session.
    for _name, payload in [e for e in point.events if e[0] == "point_state"]:
        assert [c["booking_id"] for c in payload["citizens"]] == [room.bookings[0].id]
    assert {"queue", "queue_state", "board"}.isdisjoint(point.names())


def test_point_join_is_refused_to_others(live_server, connect, pointed):
    room = pointed.room
    idle = connect(live_server, pointed.idle_token)
    ack = idle.call("join", {"session_id": room.id, "as": "point"})
    assert ack["ok"] is False and ack["error"] == "not_accepted"
    for token in (room.host_token, room.secretary_token, room.tokens[1]):
        ack = connect(live_server, token).call("join", {"session_id": room.id, "as": "point"})
        assert ack["ok"] is False and ack["error"] == "forbidden"
    anonymous = connect(live_server)
    assert anonymous.call("join", {"session_id": room.id, "as": "point"})["error"] == \
        "unauthorized"
    assert "point_state" not in idle.names()


def test_host_and_point_signal_when_its_citizen_is_called(live_server, connect, pointed,
                                                         app):
    from app.audit.models import AuditEvent
    from app.extensions import db

    room = pointed.room
    point = connect(live_server, pointed.token)
    point.call("join", {"session_id": room.id, "as": "point"})
    point.call("point_check_in", {"session_id": room.id, "booking_id": room.bookings[0].id})
    host = connect(live_server, room.host_token)
    host.call("join", {"session_id": room.id})
    host.call("call_next", {"session_id": room.id})
    booking_id = room.bookings[0].id
    refused = point.call("start_call", {"session_id": room.id, "booking_id": booking_id})
    assert refused["ok"] is False and refused["error"] == "consent_required"
    assert point.call("start_call", {"session_id": room.id, "booking_id": booking_id,
                                     "consent": True}) == {"ok": True}
    point.wait_for("point_state", lambda p: p["citizens"][0]["state"] == "in_call")
    db.session.expire_all()
    assert db.session.query(AuditEvent).filter_by(action="recording_consent_at_point",
                                                  target=f"booking:{booking_id}").count() == 1
    assert host.call("signal", {"session_id": room.id, "data": {"sdp": "offer"}})["ok"]
    got = point.wait_for("signal")
    assert got["data"] == {"sdp": "offer"} and got["from"] == "host"
    assert point.call("signal", {"session_id": room.id, "data": {"sdp": "answer"}})["ok"]
    back = host.wait_for("signal")
    assert back["from"] == "point" and back["booking_id"] == booking_id
    # The citizen's own account is not the party: the point is.
    citizen = connect(live_server, room.tokens[0])
    citizen.call("join", {"session_id": room.id})
    refused = citizen.call("signal", {"session_id": room.id, "data": {"sdp": "x"}})
    assert refused["ok"] is False and refused["error"] == "forbidden"
    host.call("echo", {})
    assert "signal" not in citizen.names()


# --- invites ------------------------------------------------------------------------

def test_invite_by_host_and_secretary_only(api, room, make):
    booking = room.bookings[0]
    for user in (room.host, room.secretary):
        answer = _invite(api, booking, user)
        assert answer.status_code == 201, answer.get_json()
        body = answer.get_json()
        assert set(body) == {"url", "expires_at"} and "/live/khach/" in body["url"]
    assert _invite(api, booking, room.citizens[0]).status_code == 403  # their own case
    assert _invite(api, booking, room.citizens[1]).status_code == 404
    outsider_host = make.make_user("host", unit=make.make_unit())
    assert _invite(api, booking, outsider_host).status_code == 404
    assert api.post(f"/bookings/{booking.id}/call-invites",
                    json={"role": "lawyer", "name": "A"}).status_code == 401


def test_agency_officer_may_neither_invite_nor_join_as_point(api, live_server, connect, room,
                                                            make):
    agency = make.make_agency(room.unit)
    officer = make.make_user("officer", unit=room.unit, agency=agency)
    assert _invite(api, room.bookings[0], officer).status_code in (403, 404)
    ack = connect(live_server, make.token_for(officer)).call(
        "join", {"session_id": room.id, "as": "point"})
    assert ack["ok"] is False and ack["error"] == "forbidden"


def test_invite_expires_with_the_session_or_after_four_hours(api, room):
    from app.extensions import db
    from app.live.models import CallInvite
    from app.timeutil import iso_local

    answer = _invite(api, room.bookings[0], room.host).get_json()
    invite = db.session.query(CallInvite).one()
    assert answer["expires_at"] == iso_local(invite.expires_at)
    assert invite.expires_at <= room.reception.ends_at
    assert invite.expires_at - invite.created_at <= timedelta(hours=4)
    assert _token_of(answer["url"]) not in (invite.token_hash, "")  # stored hashed


@pytest.mark.parametrize(("body", "field"), [
    ({"role": "journalist", "name": "A"}, "role"),
    ({"role": "lawyer", "name": ""}, "name"),
    ({"role": "lawyer", "name": "x" * 101}, "name"),
    ({"role": "lawyer"}, "name"),
])
def test_invite_validation(api, room, body, field):
    answer = api.post(f"/bookings/{room.bookings[0].id}/call-invites", user=room.host,
                      json=body)
    assert answer.status_code == 422
    assert field in answer.get_json()["errors"]


def test_invite_needs_an_accepted_booking_in_an_open_session(api, room, make):
    from app.extensions import db

    pending = make.make_booking(room.reception, make.make_user("citizen"), slot_index=5,
                                status="pending")
    assert _invite(api, pending, room.host).get_json()["error"] == "invalid_state"
    room.reception.status = "held"
    db.session.commit()
    answer = _invite(api, room.bookings[0], room.host)
    assert answer.status_code == 409 and answer.get_json()["error"] == "invalid_state"


def test_denunciation_invites_only_the_denouncers_side(api, room, make, app):
    denouncer = make.make_user("citizen", full_name="Lê Văn Tố Giác")
    booking = make.make_booking(room.reception, denouncer, slot_index=6, matter_type="to_cao")
    refused = _invite(api, booking, room.host, role="agency", name="Cán bộ Sở")
    assert refused.status_code == 422
    assert "tố cáo" in refused.get_json()["message"]
    assert "role" in refused.get_json()["errors"]
    for role in ("interpreter", "lawyer", "representative"):
        answer = _invite(api, booking, room.host, role=role, name="Trần Thị Luật")
        assert answer.status_code == 201
    browser = app.test_client()
    page = browser.get(answer.get_json()["url"].removeprefix("http://localhost"))
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Người tố cáo (được giữ bí mật)" in text and "Lê Văn Tố Giác" not in text


def test_invite_from_the_console(room, login):
    path = f"/live/{room.id}/cases/{room.bookings[0].id}/call-invites"
    answer = login(room.secretary).post(path, json={"role": "lawyer", "name": "Luật sư B"})
    assert answer.status_code == 201 and "/live/khach/" in answer.get_json()["url"]
    bad = login(room.host).post(path, json={"role": "x", "name": "B"})
    assert bad.status_code == 422
    assert login(room.citizens[0]).post(path, json={"role": "lawyer",
                                                    "name": "B"}).status_code == 403


def test_guest_link_binds_the_first_browser(api, room, app):
    from app.extensions import db
    from app.live.models import CallInvite

    url = _invite(api, room.bookings[0], room.host).get_json()["url"]
    path = url.removeprefix("http://localhost")
    first = app.test_client()
    page = first.get(path)
    assert page.status_code == 200
    assert "Nghị định 154/2026" in page.get_data(as_text=True)
    assert "Phiên dịch viên: Nguyễn Văn A" in page.get_data(as_text=True)
    assert first.get(path).status_code == 200  # the same browser again (its cookie)
    second = app.test_client().get(path)
    assert second.status_code == 410
    assert "chỉ dùng được một lần" in second.get_data(as_text=True)
    db.session.query(CallInvite).update({"expires_at": room.reception.starts_at
                                         - timedelta(hours=2)})
    db.session.commit()
    expired = first.get(path)
    assert expired.status_code == 410 and "hết hạn" in expired.get_data(as_text=True)
    assert app.test_client().get("/live/khach/khong-co-that").status_code == 404


# --- guests in the call ----------------------------------------------------------------

def _guest_of(live_server, app, api, room, booking, role="interpreter", name="Nguyễn Văn A"):
    answer = _invite(api, booking, room.host, role, name)
    assert answer.status_code == 201, answer.get_json()
    url = answer.get_json()["url"]
    _browser, key = _open_link(app, url)
    return Guest(live_server.url, _token_of(url), key), _token_of(url)


@pytest.fixture
def guests():
    opened: list[Guest] = []
    yield opened
    for guest in opened:
        guest.close()


def test_guest_joins_and_enters_the_call(live_server, connect, room, api, app, guests):
    citizen = connect(live_server, room.tokens[0])
    citizen.call("join", {"session_id": room.id})
    guest, _token = _guest_of(live_server, app, api, room, room.bookings[0])
    guests.append(guest)
    ack = guest.call("join", {"session_id": room.id, "as": "guest"})
    assert ack["ok"] is True and ack["role"] == "guest" and ack["booking_id"] == \
        room.bookings[0].id
    assert guest.wait_for("guest_state")["state"] == "waiting"
    early = guest.call("enter_call", {"session_id": room.id})
    assert early["ok"] is False and early["error"] == "invalid_state"
    host = connect(live_server, room.host_token)
    host.call("join", {"session_id": room.id})
    host.call("call_next", {"session_id": room.id})
    guest.wait_for("guest_state", lambda g: g["state"] == "called")
    entered = guest.call("enter_call", {"session_id": room.id})
    assert entered["ok"] is True and entered["self"] == ack["party"]
    assert [p["party"] for p in entered["parties"]] == ["host", "citizen"]
    notice = citizen.wait_for("call_party")
    assert notice["message"] == "Phiên dịch viên: Nguyễn Văn A đã tham gia cuộc gọi"
    assert host.wait_for("call_party")["party"] == ack["party"]
    # The queue's other events never reach a guest.
    assert {"queue", "queue_state", "board", "point_state"}.isdisjoint(guest.names())


def test_guest_connection_needs_the_key_of_the_first_opening(live_server, room, api, app):
    url = _invite(api, room.bookings[0], room.host).get_json()["url"]
    _open_link(app, url)
    with pytest.raises(sio.exceptions.ConnectionError):
        Guest(live_server.url, _token_of(url), "une-autre-cle")
    with pytest.raises(sio.exceptions.ConnectionError):
        Guest(live_server.url, "pas-un-lien", "x")


def test_expired_link_is_refused_at_connection(live_server, room, api, app):
    from app.extensions import db
    from app.live.models import CallInvite

    url = _invite(api, room.bookings[0], room.host).get_json()["url"]
    _browser, key = _open_link(app, url)
    db.session.query(CallInvite).update({"expires_at": room.reception.starts_at
                                         - timedelta(hours=2)})
    db.session.commit()
    with pytest.raises(sio.exceptions.ConnectionError):
        Guest(live_server.url, _token_of(url), key)


def test_signal_goes_only_among_the_calls_parties(live_server, connect, room, api, app, make,
                                                  guests):
    # Another session with its own call and its own guest: the fourth socket.
    other = make.make_reception(room.unit, make.make_user("host", unit=room.unit),
                                starts_in_minutes=5, slot_minutes=10)
    other_citizen = make.make_user("citizen")
    other_booking = make.make_booking(other, other_citizen, slot_index=0)
    other_room = SimpleNamespace(host=other.hosted_by, id=other.id)
    stranger, _t = _guest_of(live_server, app, api, other_room, other_booking, "lawyer", "C")
    guests.append(stranger)
    other_host = connect(live_server, make.token_for(other.hosted_by))
    other_host.call("join", {"session_id": other.id})
    other_citizen_socket = connect(live_server, make.token_for(other_citizen))
    other_citizen_socket.call("join", {"session_id": other.id})
    other_host.call("call_next", {"session_id": other.id})
    stranger_id = stranger.call("join", {"session_id": other.id, "as": "guest"})["party"]
    assert stranger.call("enter_call", {"session_id": other.id})["ok"]

    citizens = [connect(live_server, token) for token in room.tokens[:2]]
    for citizen in citizens:
        citizen.call("join", {"session_id": room.id})
    host = connect(live_server, room.host_token)
    host.call("join", {"session_id": room.id})
    host.call("call_next", {"session_id": room.id})
    guest, _token = _guest_of(live_server, app, api, room, room.bookings[0])
    guests.append(guest)
    party = guest.call("join", {"session_id": room.id, "as": "guest"})["party"]
    # Before entering the call the guest is no party.
    refused = guest.call("signal", {"session_id": room.id, "to": "host", "data": {"x": 0}})
    assert refused["ok"] is False and refused["error"] == "forbidden"
    assert guest.call("enter_call", {"session_id": room.id})["ok"]

    assert guest.call("signal", {"session_id": room.id, "to": "citizen",
                                 "data": {"sdp": "g-offer"}})["ok"]
    got = citizens[0].wait_for("signal")
    assert got["from"] == party and got["to"] == "citizen" and got["data"] == {"sdp": "g-offer"}
    assert citizens[0].call("signal", {"session_id": room.id, "to": party,
                                       "data": {"sdp": "c-answer"}})["ok"]
    assert guest.wait_for("signal")["data"] == {"sdp": "c-answer"}
    assert host.call("signal", {"session_id": room.id, "to": party, "data": {"ready": 1}})["ok"]
    guest.wait_for("signal", lambda s: s["from"] == "host")
    # The two-party form is unchanged: host → citizen without "to".
    assert host.call("signal", {"session_id": room.id, "data": {"sdp": "h"}})["ok"]
    citizens[0].wait_for("signal", lambda s: s["from"] == "host" and "to" not in s)
    # Nobody outside the call, and no party of another session's call.
    for to in ("guest:999999", "point", "display", stranger_id, party + "x"):
        refused = host.call("signal", {"session_id": room.id, "to": to, "data": {"x": 1}})
        assert refused["ok"] is False and refused["error"] == "forbidden", to
    stranger_party = [p for n, p in stranger.events if n == "call_party"]
    cross = stranger.call("signal", {"session_id": room.id, "to": "host", "data": {"x": 2}})
    assert cross["ok"] is False
    host.call("echo", {})
    guest.call("echo", {})
    assert "signal" not in citizens[1].names()
    assert "signal" not in stranger.names() and not stranger_party
    assert "signal" not in other_host.names() | other_citizen_socket.names()
