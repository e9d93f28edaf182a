"""Web pages of minutes: the editor page, its CSRF-protected JSON save, a session's cases."""

from __future__ import annotations

import re

import pytest

from tests.minutes.world import login


def _save(client, world, body, headers=None):
    return client.post(f"/minutes/{world.booking.id}", json=body, headers=headers or {})


@pytest.mark.parametrize("role", ["secretary", "host"])
def test_editor_page_for_secretary_and_host(client, world, role):
    login(client, getattr(world, role))
    page = client.get(f"/minutes/{world.booking.id}").get_data(as_text=True)
    assert "data-minutes-editor" in page and "js/minutes.js" in page
    assert 'data-readonly="false"' in page
    assert "<script>" not in page and 'style="' not in page


def test_inspector_sees_the_editor_read_only(client, world):
    login(client, world.inspector)
    page = client.get(f"/minutes/{world.booking.id}").get_data(as_text=True)
    assert 'data-readonly="true"' in page


@pytest.mark.parametrize("role", ["citizen", "officer", "other_secretary"])
def test_editor_page_refused_to_others(client, world, role):
    login(client, getattr(world, role))
    assert client.get(f"/minutes/{world.booking.id}").status_code == 403


def test_editor_page_needs_a_login(client, world):
    response = client.get(f"/minutes/{world.booking.id}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_save_returns_the_payload(client, world):
    login(client, world.secretary)
    response = _save(client, world, {"content": "Ghi chép", "version": 0})
    assert response.status_code == 200
    assert response.get_json()["version"] == 1
    data = client.get(f"/minutes/{world.booking.id}/data").get_json()
    assert data["content"] == "Ghi chép"


def test_save_conflict_answers_409_with_current(client, world):
    login(client, world.secretary)
    _save(client, world, {"content": "A", "version": 0})
    response = _save(client, world, {"content": "B", "version": 0})
    assert response.status_code == 409 and response.get_json()["current"]["content"] == "A"


def test_save_refused_to_inspector_and_citizen(client, world):
    for user in (world.inspector, world.citizen):
        login(client, user)
        assert _save(client, world, {"content": "A"}).status_code == 403


def test_save_needs_the_csrf_token_from_the_page(app, client, world):
    login(client, world.secretary)
    app.config["WTF_CSRF_ENABLED"] = True
    assert _save(client, world, {"content": "A"}).status_code == 400
    page = client.get(f"/minutes/{world.booking.id}").get_data(as_text=True)
    token = re.search(r'data-csrf="([^"]+)"', page).group(1)
    response = _save(client, world, {"content": "A"}, {"X-CSRFToken": token})
    assert response.status_code == 200


def test_session_page_lists_cases_for_staff_only(client, world):
    login(client, world.host)
    page = client.get(f"/minutes/session/{world.reception.id}").get_data(as_text=True)
    assert world.booking.tracking_code in page
    login(client, world.citizen)
    assert client.get(f"/minutes/session/{world.reception.id}").status_code == 403


def test_secretary_sees_a_denouncer_and_the_reveal_is_audited(client, make):
    from app.audit.models import AuditEvent
    from app.extensions import db
    from tests.minutes.world import build_world

    world = build_world(make, matter_type="to_cao")
    login(client, world.secretary)
    page = client.get(f"/minutes/{world.booking.id}").get_data(as_text=True)
    assert "Nguyễn Văn An" in page
    db.session.rollback()  # what the page committed stays
    assert db.session.query(AuditEvent).filter_by(action="reveal").count() == 1


# The editor inside the live consoles (/minutes/<id>/panel).

def _panel(client, world, query=""):
    return client.get(f"/minutes/{world.booking.id}/panel{query}")


def test_panel_is_an_editable_fragment_for_the_secretary(client, world):
    login(client, world.secretary)
    response = _panel(client, world)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert "<html" not in page and "data-minutes-editor" in page
    assert 'data-readonly="false"' in page and world.booking.tracking_code in page
    assert f"/tasks/case/{world.booking.id}" in page


def test_panel_shows_the_saved_text(client, world):
    login(client, world.secretary)
    _save(client, world, {"content": "Công dân trình bày việc tranh chấp đất", "version": 0})
    page = _panel(client, world).get_data(as_text=True)
    assert "Công dân trình bày việc tranh chấp đất" in page and 'data-version="1"' in page


def test_host_reads_the_panel_in_read_mode(client, world):
    login(client, world.host)
    assert 'data-readonly="true"' in _panel(client, world, "?mode=read").get_data(as_text=True)
    assert 'data-readonly="false"' in _panel(client, world).get_data(as_text=True)


def test_inspector_panel_is_read_only(client, world):
    login(client, world.inspector)
    assert 'data-readonly="true"' in _panel(client, world).get_data(as_text=True)


@pytest.mark.parametrize("role", ["citizen", "officer", "other_secretary"])
def test_panel_refused_to_others(client, world, role):
    login(client, getattr(world, role))
    assert _panel(client, world).status_code == 403


def test_panel_needs_a_login_and_an_existing_case(client, world):
    assert _panel(client, world).status_code == 302
    login(client, world.secretary)
    assert client.get("/minutes/99999999999/panel").status_code == 404
