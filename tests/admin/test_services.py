"""app/admin/services.py: units, roles, accounts, agencies, outbox retries."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.admin import services
from app.audit.models import AuditEvent
from app.auth.services import authenticate
from app.extensions import db
from app.notify.models import Notification
from app.timeutil import utcnow
from app.units.models import Unit
from sessions.errors import CoreError
from tests.factories import PASSWORD


def last_event() -> AuditEvent:
    return db.session.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1))


def unit_data(unit, **changes) -> dict:
    data = {"name": unit.name, "level": unit.level, "parent_code": unit.parent_code or "",
            "is_active": unit.is_active, "auto_accept": unit.auto_accept,
            "priority_jump": unit.priority_jump}
    data.update(changes)
    return data


# -- units -------------------------------------------------------------------------------

def test_update_unit_changes_settings_and_is_audited(admin, commune, province):
    services.update_unit(commune, unit_data(commune, name="Phường Mỹ Lâm", auto_accept=True,
                                            priority_jump=2), actor=admin)
    assert (commune.name, commune.auto_accept, commune.priority_jump) == ("Phường Mỹ Lâm", True, 2)
    assert commune.parent_id == province.id
    event = last_event()
    assert (event.action, event.actor_id, event.target) == ("update_unit", admin.id, "unit:02266")
    assert "Phường Mỹ Lâm" in event.detail


def test_empty_priority_rule_is_kept_as_none(admin, commune):
    services.update_unit(commune, unit_data(commune, priority_jump=0), actor=admin)
    assert commune.priority_jump == 0
    services.update_unit(commune, unit_data(commune, priority_jump=None), actor=admin)
    assert commune.priority_jump is None


def test_a_unit_cannot_be_placed_below_itself(admin, province, commune):
    with pytest.raises(CoreError) as info:
        services.update_unit(province, unit_data(province, parent_code="02266"), actor=admin)
    assert info.value.code == "parent_cycle" and info.value.field == "parent_code"


@pytest.mark.parametrize("changes, code", [({"level": "village"}, "invalid_level"),
                                           ({"name": "  "}, "invalid_name"),
                                           ({"parent_code": "99"}, "unknown_unit"),
                                           ({"priority_jump": -1}, "invalid_priority_jump")])
def test_invalid_unit_settings_are_refused(admin, commune, changes, code):
    with pytest.raises(CoreError) as info:
        services.update_unit(commune, unit_data(commune, **changes), actor=admin)
    assert info.value.code == code


def test_import_creates_the_34_provinces(admin):
    created = services.import_units_from_package([], actor=admin)
    provinces = db.session.scalar(select(func.count(Unit.id)).where(Unit.level == "province"))
    assert created == provinces == 34
    assert last_event().action == "import_units"


def test_import_refuses_an_unknown_province_code(admin):
    with pytest.raises(CoreError) as info:
        services.import_units_from_package(["77"], actor=admin)
    assert info.value.code == "unknown_province" and "77" in info.value.message


# -- roles -------------------------------------------------------------------------------

def test_grant_role_scoped_to_a_unit(admin, make, province):
    person = make.make_user()
    role = services.grant_role(person, {"role": "secretary", "unit_code": "08"}, actor=admin)
    assert (role.role, role.unit_id) == ("secretary", province.id)
    assert person.has_role("secretary")
    assert last_event().action == "grant_role"


def test_a_staff_role_needs_a_known_unit(admin, make):
    person = make.make_user()
    for data, code in (({"role": "host"}, "unit_required"),
                       ({"role": "host", "unit_code": "99"}, "unknown_unit")):
        with pytest.raises(CoreError) as info:
            services.grant_role(person, data, actor=admin)
        assert (info.value.code, info.value.field) == (code, "unit_code")


def test_an_officer_needs_an_agency_of_that_unit(admin, make, province, commune):
    make.make_agency(province, "SXD")
    person = make.make_user()
    with pytest.raises(CoreError) as info:
        services.grant_role(person, {"role": "officer", "unit_code": "02266",
                                     "agency_code": "SXD"}, actor=admin)
    assert info.value.code == "unknown_agency"
    role = services.grant_role(person, {"role": "officer", "unit_code": "08",
                                        "agency_code": "sxd"}, actor=admin)
    assert role.agency.code == "SXD"


def test_a_deputy_stands_in_for_a_host_of_the_same_unit(admin, make, province, commune):
    chairman = make.make_user("host", unit=province)
    other_host = make.make_user("host", unit=commune)
    deputy = make.make_user()
    with pytest.raises(CoreError) as info:
        services.grant_role(deputy, {"role": "deputy", "unit_code": "08",
                                     "deputy_of": other_host.id}, actor=admin)
    assert info.value.field == "deputy_of"
    role = services.grant_role(deputy, {"role": "deputy", "unit_code": "08",
                                        "deputy_of": chairman.id}, actor=admin)
    assert role.deputy_of_id == chairman.id


def test_the_same_role_twice_is_refused(admin, make, province):
    person = make.make_user("secretary", unit=province)
    with pytest.raises(CoreError) as info:
        services.grant_role(person, {"role": "secretary", "unit_code": "08"}, actor=admin)
    assert info.value.code == "role_exists"


def test_revoke_role(admin, make, province):
    person = make.make_user("citizen", "secretary", unit=province)
    services.revoke_role(next(r for r in person.roles if r.role == "secretary"), actor=admin)
    assert person.role_names == ["citizen"]
    assert last_event().action == "revoke_role"


def test_the_last_admin_role_cannot_be_revoked(admin):
    with pytest.raises(CoreError) as info:
        services.revoke_role(admin.roles[0], actor=admin)
    assert info.value.code == "last_admin"
    assert "quản trị viên cuối cùng" in info.value.message
    assert admin.has_role("admin")


def test_an_admin_role_can_go_when_another_admin_remains(admin, make):
    other = make.make_user("admin")
    services.revoke_role(other.roles[0], actor=admin)
    assert not other.has_role("admin")


# -- accounts ----------------------------------------------------------------------------

def test_deactivation_prevents_login(admin, api, make):
    person = make.make_user()
    services.deactivate_user(person, actor=admin)
    db.session.commit()
    response = api.post("/auth/login", json={"username": person.email, "password": PASSWORD})
    assert response.status_code == 401
    # The refused login is audited after the deactivation.
    assert last_event().action == "login_failed"
    assert db.session.scalar(select(AuditEvent.action).where(
        AuditEvent.target == f"user:{person.id}").order_by(AuditEvent.id)) == "deactivate_user"


def test_reactivation_does_not_revive_old_tokens(admin, api, make):
    person = make.make_user()
    assert api.post("/me/calendar-token", user=person).status_code == 200
    services.deactivate_user(person, actor=admin)
    services.reactivate_user(person, actor=admin)
    assert api.post("/me/calendar-token", user=person).status_code == 401
    assert authenticate(person.email, PASSWORD) is person


def test_the_last_admin_cannot_be_deactivated_nor_oneself(admin, make):
    with pytest.raises(CoreError) as info:
        services.deactivate_user(admin, actor=make.make_user("citizen"))
    assert info.value.code == "last_admin"
    with pytest.raises(CoreError) as info:
        services.deactivate_user(admin, actor=admin)
    assert info.value.code == "self_deactivation"


def test_reset_password_sets_a_working_password_and_unlocks(admin, make):
    person = make.make_user(failed_logins=4, locked_until=utcnow().replace(year=2100))
    services.reset_password(person, "tamthoi2027", actor=admin)
    events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(2))
    assert [(e.action, e.actor_id) for e in events] == [  # every session of theirs ended
        ("sessions_ended", admin.id), ("password_reset", admin.id)]
    assert authenticate(person.email, PASSWORD) is None
    assert authenticate(person.email, "tamthoi2027") is person


def test_reset_password_refuses_a_weak_password(admin, make):
    person = make.make_user()
    with pytest.raises(CoreError) as info:
        services.reset_password(person, "12345", actor=admin)
    assert info.value.field == "password"


def test_unlock_clears_the_lock(admin, make):
    person = make.make_user(failed_logins=7, locked_until=utcnow().replace(year=2100))
    services.unlock_user(person, actor=admin)
    assert (person.failed_logins, person.locked_until) == (0, None)
    assert authenticate(person.email, PASSWORD) is person


def test_update_person_sets_name_and_title(admin, make):
    person = make.make_user()
    services.update_person(person, {"full_name": " Vũ  Minh Quang ",
                                    "title": "Phó Chủ tịch UBND tỉnh"}, actor=admin)
    assert (person.full_name, person.title) == ("Vũ Minh Quang", "Phó Chủ tịch UBND tỉnh")
    assert last_event().action == "update_user"


# -- agencies ----------------------------------------------------------------------------

def test_create_agency(admin, province):
    agency = services.create_agency(province, {"code": "snnmt", "name": "Sở Nông nghiệp và "
                                               "Môi trường", "email": "snnmt@tq.gov.vn",
                                               "is_active": True}, actor=admin)
    assert (agency.code, agency.unit_id, agency.email) == ("SNNMT", province.id, "snnmt@tq.gov.vn")
    assert last_event().action == "create_agency"


def test_agency_codes_are_unique_within_a_unit(admin, make, province, commune):
    make.make_agency(province, "SXD")
    with pytest.raises(CoreError) as info:
        services.create_agency(province, {"code": "SXD", "name": "Sở khác"}, actor=admin)
    assert (info.value.code, info.value.field) == ("agency_code_taken", "code")
    assert info.value.message == "Mã cơ quan SXD đã có trong đơn vị này."
    assert services.create_agency(commune, {"code": "SXD", "name": "Phòng Xây dựng"},
                                  actor=admin).unit_id == commune.id


def test_update_agency_refuses_a_taken_code(admin, make, province):
    make.make_agency(province, "SXD")
    other = make.make_agency(province, "TTT", "Thanh tra tỉnh")
    with pytest.raises(CoreError):
        services.update_agency(other, {"code": "SXD", "name": "Thanh tra tỉnh"}, actor=admin)
    services.update_agency(other, {"code": "TTT", "name": "Thanh tra tỉnh Tuyên Quang",
                                   "is_active": False}, actor=admin)
    assert (other.name, other.is_active) == ("Thanh tra tỉnh Tuyên Quang", False)


# -- outbox ------------------------------------------------------------------------------

def _notification(**fields) -> Notification:
    row = Notification(channel="email", recipient="a@example.test", subject="S", body="B",
                       **fields)
    db.session.add(row)
    db.session.flush()
    return row


def test_retry_gives_a_failed_notification_fresh_attempts(admin):
    row = _notification(attempts=8, failed_at=utcnow(), last_error="timeout")
    services.retry_notification(row, actor=admin)
    assert (row.attempts, row.failed_at) == (0, None)
    assert row.send_after <= utcnow()
    assert last_event().action == "retry_notification"


def test_a_sent_notification_is_not_retried(admin):
    with pytest.raises(CoreError) as info:
        services.retry_notification(_notification(sent_at=utcnow()), actor=admin)
    assert info.value.code == "already_sent"
