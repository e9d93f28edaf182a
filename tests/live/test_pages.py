"""The live-room web pages: who may open which, and what they show."""

from __future__ import annotations

import pytest


def test_console_index_lists_the_hosts_session(room, login):
    page = login(room.host).get("/live/")
    assert page.status_code == 200
    assert f"/live/{room.id}/host".encode() in page.data


def test_console_index_lists_sessions_of_units_below_for_a_secretary(room, login, make):
    commune = make.make_unit(level="commune", parent=room.unit)
    reception = make.make_reception(commune, make.make_user("host", unit=commune),
                                    starts_in_minutes=60 * 24)
    page = login(room.secretary).get("/live/")
    assert f"/live/{reception.id}/secretary".encode() in page.data
    assert f"/live/{room.id}/host".encode() not in page.data


def test_console_index_is_refused_to_citizens_and_anonymous(room, login, client):
    assert client.get("/live/").status_code == 302
    assert login(room.citizens[0]).get("/live/").status_code == 403


@pytest.mark.parametrize(("who", "path", "status"), [
    ("host", "host", 200), ("host", "secretary", 200), ("secretary", "secretary", 200),
    ("secretary", "host", 403), ("citizen", "host", 403), ("citizen", "secretary", 403),
])
def test_consoles_by_role(room, login, who, path, status):
    user = {"host": room.host, "secretary": room.secretary, "citizen": room.citizens[0]}[who]
    assert login(user).get(f"/live/{room.id}/{path}").status_code == status


def test_waiting_room_for_the_citizen_only(room, login, client):
    page = login(room.citizens[0]).get(f"/live/{room.id}/room")
    assert page.status_code == 200
    assert "Nghị định 154/2026".encode() in page.data
    assert "Tại nhà".encode() in page.data
    assert login(room.outsider).get(f"/live/{room.id}/room").status_code == 404


def test_waiting_room_shows_the_satellite_point(room, login):
    room.bookings[0].join_from = "satellite"
    room.bookings[0].satellite_point = "UBND xã Minh Xuân"
    page = login(room.citizens[0]).get(f"/live/{room.id}/room")
    assert "UBND xã Minh Xuân".encode() in page.data


def test_consent_to_recording_is_stored_and_audited(room, login, make):
    from app.audit.models import AuditEvent
    from app.extensions import db

    room.bookings[0].consent_recording_at = None
    response = login(room.citizens[0]).post(f"/live/{room.id}/consent")
    assert response.status_code == 302
    db.session.expire_all()
    assert room.bookings[0].consent_recording_at is not None
    assert db.session.scalar(db.select(AuditEvent.action).order_by(AuditEvent.id.desc())
                             .limit(1)) == "consent_recording"


def test_board_is_public_frameable_and_nameless(room, client):
    page = client.get(f"/live/{room.id}/board")
    assert page.status_code == 200
    assert "X-Frame-Options" not in page.headers
    assert room.citizens[0].full_name.encode() not in page.data


def test_board_of_unknown_session_is_404(client):
    assert client.get("/live/999999/board").status_code == 404


def test_connection_test_page_opens_the_working_day_before(room, login, make):
    assert b'id="test-network"' in login(room.citizens[0]).get(f"/live/{room.id}/test").data
    later = make.make_reception(room.unit, room.host, starts_in_minutes=60 * 24 * 10)
    page = login(room.host).get(f"/live/{later.id}/test")
    assert page.status_code == 200 and b'id="test-network"' not in page.data
    assert login(room.outsider).get(f"/live/{room.id}/test").status_code == 404


def test_the_consoles_embed_the_minutes_editor(room, login):
    page = login(room.secretary).get(f"/live/{room.id}/secretary")
    assert b'data-minutes-panel-url="/minutes/0/panel"' in page.data
    assert b'id="minutes-case"' in page.data and b"js/minutes.js" in page.data
    host_page = login(room.host).get(f"/live/{room.id}/host")
    assert b'data-minutes-panel-url="/minutes/0/panel?mode=read"' in host_page.data
    assert b'id="minutes-case"' not in host_page.data
    panel = login(room.secretary).get(f"/minutes/{room.bookings[0].id}/panel")
    assert panel.status_code == 200
    assert b"data-minutes-editor" in panel.data and b'data-readonly="false"' in panel.data
