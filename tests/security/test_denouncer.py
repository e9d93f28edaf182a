"""A denouncer's identity across every surface, for every role (docs/security.md §2).

The world of conftest.py holds a ``to_cao`` booking of the citizen in the open
session, with a task assigned to the officer's agency.
"""

from __future__ import annotations

import io
import zipfile

from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.extensions import db
from sessions.identity import mask_name
from tests import factories as make
from tests.factories import web_login_key

#: Who sees the identity through the API (app/bookings/access.py can_see_identity).
API_SEES = {"citizen": True, "secretary": True, "host": True, "inspector": True,
            "deputy": False, "admin": False}


def _reveals(booking_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "reveal", AuditEvent.target == f"booking:{booking_id}"))


def _api(app, user, path):
    headers = {"Authorization": f"Bearer {make.token_for(user)}"} if user else {}
    response = app.test_client().get(f"/api/v1{path}", headers=headers)
    db.session.expire_all()
    return response


def _text_of(document: bytes) -> str:
    """Every XML part of an XLSX or DOCX, as text."""
    with zipfile.ZipFile(io.BytesIO(document)) as archive:
        return "".join(archive.read(name).decode("utf-8", "replace")
                       for name in archive.namelist() if name.endswith(".xml"))


def test_api_shows_the_identity_only_to_host_secretary_inspector(secured):
    app, world = secured
    booking, name = world.denounced, world.denouncer.full_name
    for role, sees in API_SEES.items():
        before = _reveals(booking.id)
        viewer = world.denouncer if role == "citizen" else world.users[role]
        response = _api(app, viewer, f"/bookings/{booking.id}")
        assert response.status_code == 200, role
        citizen = response.get_json()["citizen"]
        if sees:
            assert citizen["full_name"] == name and "masked" not in citizen, role
            assert citizen["cccd"] == "001090012345", role
        else:
            assert citizen == {"full_name": mask_name(name), "masked": True,
                               "phone": citizen["phone"], "cccd": citizen["cccd"]}, role
            assert "12345" not in (citizen["cccd"] or "") and citizen["cccd"], role
            assert "address" not in citizen and "email" not in citizen, role
        logged = _reveals(booking.id) - before
        assert logged == (1 if sees and role != "citizen" else 0), role
    assert _api(app, world.users["officer"], f"/bookings/{booking.id}").status_code == 403
    assert _api(app, world.users["citizen"], f"/bookings/{booking.id}").status_code == 403
    assert _api(app, None, f"/bookings/{booking.id}").status_code == 401


def test_task_assignees_and_task_staff_see_a_masked_name(secured):
    app, world = secured
    name = world.denouncer.full_name
    for role in ("officer", "secretary", "host", "inspector"):
        response = _api(app, world.users[role], f"/tasks/{world.denounced_task.id}")
        assert response.status_code == 200, role
        body = response.get_data(as_text=True)
        assert name not in body, role
        assert mask_name(name) in body, role


def test_exports_never_show_the_identity(secured):
    app, world = secured
    name, unit = world.denouncer.full_name, world.unit
    from datetime import timedelta

    from app.timeutil import local_today

    period = f"from={local_today() - timedelta(days=30)}&to={local_today() + timedelta(days=30)}"
    register = _api(app, world.users["secretary"],
                    f"/reports/register.xlsx?unit={unit.code}&{period}")
    assert register.status_code == 200
    conclusion = _api(app, world.users["host"],
                      f"/sessions/{world.reception.id}/conclusion.docx")
    assert conclusion.status_code == 200
    text = _text_of(register.data)
    assert name not in text and mask_name(name) in text
    assert name not in _text_of(conclusion.data)


def test_console_case_list_masks_for_the_administrator_and_deputies_and_logs_reveals(secured):
    app, world = secured
    name = world.denouncer.full_name
    for role, sees in (("host", True), ("secretary", True), ("deputy", False), ("admin", False)):
        client = app.test_client()
        key = web_login_key(world.users[role])
        with client.session_transaction() as cookie:
            cookie["_user_id"] = key
        before = db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "denouncer_revealed", AuditEvent.actor_id ==
            world.users[role].id))
        response = client.get(f"/live/{world.reception.id}/cases")
        assert response.status_code == 200, role
        cases = {c["booking_id"]: c for c in response.get_json()["cases"]}
        shown = str(cases[world.denounced.id])
        assert (name in shown) is sees, role
        if not sees:
            assert mask_name(name) in shown
        db.session.expire_all()
        after = db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "denouncer_revealed", AuditEvent.actor_id ==
            world.users[role].id))
        assert after - before == (1 if sees else 0), role
