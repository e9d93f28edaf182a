"""GET /api/v1/reports/register.xlsx and /api/v1/sessions/<id>/conclusion.docx."""

from __future__ import annotations

import io

import docx
import openpyxl
import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.extensions import db
from app.timeutil import to_local


def _register_path(world, unit="08"):
    day = to_local(world.reception.starts_at).date().isoformat()
    return f"/reports/register.xlsx?unit={unit}&from={day}&to={day}"


@pytest.mark.parametrize("role", ["secretary", "admin"])
def test_register_for_secretary_and_admin(api, world, role):
    with api.get(_register_path(world), user=getattr(world, role)) as response:
        assert response.status_code == 200
        assert response.mimetype.endswith("spreadsheetml.sheet")
        sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    assert sheet["A3"].value == "SỔ TIẾP CÔNG DÂN"


@pytest.mark.parametrize(("role", "status"), [
    ("other_secretary", 403), ("host", 403), ("citizen", 403), ("officer", 403),
    ("inspector", 403), (None, 401)])
def test_register_refused(api, world, role, status):
    user = getattr(world, role) if role else None
    assert api.get(_register_path(world), user=user).status_code == status


def test_every_export_is_audited(api, world):
    with api.get(_register_path(world), user=world.secretary):
        pass
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "export"))
    assert event.actor_id == world.secretary.id and event.target == "unit:08"
    assert '"document": "register"' in event.detail


@pytest.mark.parametrize("query", ["unit=08&from=2027-03-01", "unit=08&from=x&to=2027-03-01",
                                   "unit=08&from=2027-03-05&to=2027-03-01",
                                   "from=2027-03-01&to=2027-03-02",
                                   "unit=08&from=0001-01-01&to=0001-01-02"])
def test_register_bad_parameters_are_422(api, world, query):
    response = api.get(f"/reports/register.xlsx?{query}", user=world.secretary)
    assert response.status_code == 422 and response.get_json()["error"] == "validation_error"


def test_register_unknown_unit_is_404(api, world):
    assert api.get(_register_path(world, "99"), user=world.secretary).status_code == 404


@pytest.mark.parametrize("role", ["secretary", "host", "admin"])
def test_conclusion_for_secretary_and_host(api, world, role):
    path = f"/sessions/{world.reception.id}/conclusion.docx"
    with api.get(path, user=getattr(world, role)) as response:
        assert response.status_code == 200
        document = docx.Document(io.BytesIO(response.data))
    assert any(p.text == "THÔNG BÁO" for p in document.paragraphs)


@pytest.mark.parametrize(("role", "status"), [
    ("officer", 403), ("citizen", 403), ("inspector", 403), ("other_secretary", 403),
    (None, 401)])
def test_conclusion_refused(api, world, role, status):
    user = getattr(world, role) if role else None
    path = f"/sessions/{world.reception.id}/conclusion.docx"
    assert api.get(path, user=user).status_code == status


def test_conclusion_of_an_unknown_session_is_404(api, world):
    assert api.get("/sessions/999999/conclusion.docx", user=world.secretary).status_code == 404


def test_out_of_range_session_id_is_404(api, world):
    path = "/sessions/99999999999999999999/conclusion.docx"
    assert api.get(path, user=world.secretary).status_code == 404
