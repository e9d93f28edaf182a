"""Reception points as data: GET /points, join_from of bookings, the admin's changes."""

from __future__ import annotations

import pytest

from app.audit.models import AuditEvent
from app.bookings.models import Booking
from app.extensions import db
from app.points import services
from sessions.errors import CoreError
from tests import factories as make
from tests.points.conftest import make_point


def test_points_of_exactly_one_unit(points, api):
    answer = api.get("/points?unit=08")
    assert answer.status_code == 200
    assert answer.get_json() == [{"code": "DC-08", "unit_code": "08", "kind": "central",
                                  "name": "Điểm cầu trung tâm – Trụ sở tiếp công dân tỉnh",
                                  "address": "Trụ sở DC-08"}]
    assert [p["code"] for p in api.get("/points?unit=02269").get_json()] == ["DC-02269"]


def test_inactive_points_are_not_listed(points, api):
    points.point_a.is_active = False
    assert api.get("/points?unit=02269").get_json() == []


@pytest.mark.parametrize("query", ["?unit=99", "?unit=", ""])
def test_an_unknown_unit_is_404(points, api, query):
    answer = api.get(f"/points{query}")
    assert answer.status_code == 404
    assert answer.get_json()["error"] == "not_found"


def test_a_booking_joins_from_a_point_below_the_session_unit(points, api):
    body = make.booking_body(points.reception, join_from="DC-02269")
    answer = api.post("/bookings", user=points.citizen, json=body)
    assert answer.status_code == 201, answer.get_json()
    booking_id = answer.get_json()["id"]
    assert db.session.get(Booking, booking_id).point_id == points.point_a.id
    got = api.get(f"/bookings/{booking_id}", user=points.citizen).get_json()
    assert got["join_from"] == "DC-02269"


def test_home_is_the_default(points, api):
    answer = api.post("/bookings", user=points.citizen, json=make.booking_body(points.reception))
    got = api.get(f"/bookings/{answer.get_json()['id']}", user=points.citizen).get_json()
    assert got["join_from"] == "home"


@pytest.mark.parametrize("join_from", ["DC-XX", 7, "x" * 30, ["home"]])
def test_an_unknown_join_from_is_refused(points, api, join_from):
    body = make.booking_body(points.reception, join_from=join_from)
    answer = api.post("/bookings", user=points.citizen, json=body)
    assert answer.status_code == 422
    assert answer.get_json()["error"] == "validation_error"
    assert "join_from" in answer.get_json()["errors"]


def test_a_point_of_another_tree_or_an_in_person_session_is_refused(points, api):
    commune_session = make.make_reception(points.commune, points.host)
    body = make.booking_body(commune_session, join_from="DC-02270")
    assert api.post("/bookings", user=points.citizen, json=body).status_code == 422
    in_person = make.make_reception(points.province, points.host, mode="in_person")
    body = make.booking_body(in_person, join_from="DC-08")
    answer = api.post("/bookings", user=points.citizen, json=body)
    assert answer.status_code == 422 and "join_from" in answer.get_json()["errors"]


def test_points_for_a_commune_session_list_the_commune_first(points):
    make_point(points.commune, "DC-02269-2", name="Điểm cầu thôn Nà Liềng")
    commune_session = make.make_reception(points.commune, points.host)
    codes = [p.code for p in services.points_for_session(commune_session)]
    assert codes == ["DC-02269", "DC-02269-2"]
    province_codes = [p.code for p in services.points_for_session(points.reception)]
    assert province_codes[0] == "DC-08" and set(province_codes) == {
        "DC-08", "DC-02269", "DC-02269-2", "DC-02270"}


def test_one_central_point_per_unit_and_unique_codes(points):
    admin = make.make_user("admin")
    data = {"code": "DC-08-B", "name": "Trụ sở thứ hai", "kind": "central", "is_active": True}
    with pytest.raises(CoreError) as refused:
        services.create_point(points.province, data, actor=admin)
    assert refused.value.code == "central_exists"
    with pytest.raises(CoreError) as taken:
        services.create_point(points.province, dict(data, code="dc-02269", kind="satellite"),
                              actor=admin)
    assert taken.value.code == "point_code_taken"


def test_changes_and_operators_are_audited(points):
    admin = make.make_user("admin")
    point = services.create_point(points.commune, {"code": "DC-MOI", "name": "Điểm mới",
                                                   "address": "Thôn Mới", "kind": "satellite"},
                                  actor=admin)
    services.update_point(point, {"code": "DC-MOI", "name": "Điểm mới", "kind": "satellite",
                                  "is_active": False}, actor=admin)
    person = make.make_user("citizen")
    role = services.grant_operator(point, person, actor=admin)
    assert (role.unit_id, role.point_id) == (points.commune.id, point.id)
    actions = [e.action for e in db.session.scalars(db.select(AuditEvent)
                                                    .order_by(AuditEvent.id))]
    assert actions[-3:] == ["create_point", "update_point", "grant_role"]


def test_moving_to_an_in_person_session_leaves_the_point(points, api):
    body = make.booking_body(points.reception, join_from="DC-02269")
    booking_id = api.post("/bookings", user=points.citizen, json=body).get_json()["id"]
    in_person = make.make_reception(points.province, points.host, mode="in_person")
    answer = api.post(f"/bookings/{booking_id}/reschedule", user=points.citizen,
                      json={"session_id": in_person.id})
    assert answer.status_code == 200, answer.get_json()
    got = api.get(f"/bookings/{booking_id}", user=points.citizen).get_json()
    assert got["join_from"] == "home"
