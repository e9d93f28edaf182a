"""The administrators' pages of a unit's reception points and their operators."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.auth.models import RoleAssignment
from app.extensions import db
from app.points.models import ReceptionPoint
from tests import factories as make


def _post(client, url, data):
    db.session.commit()
    response = client.post(url, data=data)
    db.session.expire_all()
    return response


@pytest.fixture
def admin(points, login):
    user = make.make_user("admin")
    return login(user)


def test_the_admin_lists_and_adds_points(points, admin):
    db.session.commit()
    page = admin.get("/admin/units/02269/points").get_data(as_text=True)
    assert points.point_a.name in page and points.point_b.name not in page
    response = _post(admin, "/admin/units/02269/points", {
        "code": "dc-thon", "name": "Điểm cầu nhà văn hóa thôn", "address": "Thôn Nà Liềng",
        "kind": "satellite", "is_active": "y"})
    assert response.status_code == 302
    added = db.session.scalar(select(ReceptionPoint).where(ReceptionPoint.code == "DC-THON"))
    assert added.unit_id == points.commune.id and added.is_active


def test_a_second_central_point_is_refused_on_the_form(points, admin):
    response = _post(admin, "/admin/units/08/points", {
        "code": "DC-08-2", "name": "Trụ sở khác", "kind": "central", "is_active": "y"})
    assert response.status_code == 200
    assert "Đơn vị này đã có điểm cầu trung tâm." in response.get_data(as_text=True)


def test_the_admin_deactivates_a_point_and_gives_and_takes_the_operator_role(points, admin):
    url = f"/admin/points/{points.point_b.id}"
    _post(admin, url, {"code": "DC-02270", "name": "Điểm cầu UBND xã Lăng Can",
                       "kind": "satellite"})
    assert db.session.get(ReceptionPoint, points.point_b.id).is_active is False
    person = make.make_user("citizen", email="can.bo.moi@example.test")
    _post(admin, f"{url}/operators", {"operator-person": "can.bo.moi@example.test"})
    role = db.session.scalar(select(RoleAssignment).where(
        RoleAssignment.user_id == person.id, RoleAssignment.role == "operator"))
    assert (role.point_id, role.unit_id) == (points.point_b.id, points.other_commune.id)
    _post(admin, f"/admin/roles/{role.id}/revoke", {"next": url})
    assert db.session.get(RoleAssignment, role.id) is None


@pytest.mark.parametrize("who", ["operator", "secretary", "citizen"])
def test_other_roles_are_refused(points, client, login, who):
    user = {"operator": points.operator_a, "secretary": points.secretary,
            "citizen": points.citizen}[who]
    login(user)
    db.session.commit()
    assert client.get("/admin/units/08/points").status_code == 403
    assert client.get(f"/admin/points/{points.point_a.id}").status_code == 403


def test_anonymous_is_sent_to_sign_in(points, client):
    db.session.commit()
    assert "/login" in client.get("/admin/units/08/points").headers["Location"]


def test_the_operator_role_is_only_given_on_a_points_page(points, admin):
    person = make.make_user("citizen")
    response = _post(admin, f"/admin/people/{person.id}/roles",
                     {"role-role": "operator", "role-unit_code": "02269"})
    assert response.status_code == 302
    assert db.session.scalar(select(RoleAssignment).where(
        RoleAssignment.user_id == person.id, RoleAssignment.role == "operator")) is None
