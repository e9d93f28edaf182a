"""Tests of app/live/cases.py: the consoles' case list and the denouncer's identity."""

from __future__ import annotations

from app.audit.models import AuditEvent
from app.extensions import db


def _denunciation(room, make):
    citizen = make.make_user("citizen", full_name="Trần Văn Tố")
    make.make_booking(room.reception, citizen, slot_index=4, matter_type="to_cao")
    return citizen


def test_host_sees_the_denouncers_name_and_the_reveal_is_audited(room, make, login):
    _denunciation(room, make)
    data = login(room.host).get(f"/live/{room.id}/cases").get_json()
    assert "Trần Văn Tố" in [c["citizen_name"] for c in data["cases"]]
    assert db.session.scalar(db.select(AuditEvent.action).order_by(AuditEvent.id.desc())
                             .limit(1)) == "denouncer_revealed"


def test_admin_sees_a_masked_denouncer(room, make, login):
    _denunciation(room, make)
    admin = make.make_user("admin")
    names = [c["citizen_name"] for c in login(admin).get(f"/live/{room.id}/cases")
             .get_json()["cases"]]
    assert "Trần Văn Tố" not in names
    assert room.citizens[0].full_name in names  # other matters are not masked


def test_cases_are_refused_to_citizens(room, login):
    assert login(room.citizens[0]).get(f"/live/{room.id}/cases").status_code == 403
