"""POST/PUT/DELETE /api/v1/schedules and POST /api/v1/schedules/preview."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.schedules.models import ReceptionSession, Schedule
from tests.schedules.helpers import body, fixed_body

ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00$")


def sessions_count() -> int:
    return db.session.scalar(select(func.count(ReceptionSession.id)))


def test_create_answers_201_with_sessions_and_warnings(api, place):
    response = api.post("/schedules", user=place.secretary, json=body(place))
    assert response.status_code == 201
    data = response.get_json()
    assert set(data) == {"id", "sessions", "warnings"}
    assert 11 <= len(data["sessions"]) <= 13
    first = data["sessions"][0]
    assert set(first) == {"id", "starts_at", "ends_at"} and ISO.match(first["starts_at"])
    assert first["starts_at"][11:16] == "08:00" and first["ends_at"][11:16] == "11:30"
    assert all(set(w) == {"code", "message"} for w in data["warnings"])


def test_a_commune_schedule_below_the_minimum_is_warned(api, place):
    response = api.post("/schedules", user=place.secretary, json=body(
        place, unit_code="02269", host_id=place.commune_chairman.id,
        rrule="FREQ=MONTHLY;BYDAY=2WE"))
    codes = {w["code"] for w in response.get_json()["warnings"]}
    assert response.status_code == 201 and "below_minimum" in codes


@pytest.mark.parametrize(("who", "status"), [
    (None, 401), ("citizen", 403), ("officer", 403), ("host", 403), ("outsider", 403),
    ("commune_secretary", 403), ("admin", 201)])
def test_who_may_create(api, make, place, who, status):
    users = {"citizen": lambda: make.make_user(),
             "officer": lambda: make.make_user("officer", unit=place.province),
             "host": lambda: place.chairman,
             "outsider": lambda: make.make_user("secretary", unit=make.make_unit("01")),
             "commune_secretary": lambda: make.make_user("secretary", unit=place.commune),
             "admin": lambda: make.make_user("admin")}
    user = users[who]() if who else None
    assert api.post("/schedules", user=user, json=body(place)).status_code == status


def test_a_commune_secretary_may_schedule_the_commune(api, make, place):
    secretary = make.make_user("secretary", unit=place.commune)
    response = api.post("/schedules", user=secretary, json=body(
        place, unit_code="02269", host_id=place.commune_chairman.id))
    assert response.status_code == 201


@pytest.mark.parametrize(("overrides", "field"), [
    ({"rrule": "FREQ=FORTNIGHTLY"}, "rrule"),
    ({"rrule": "FREQ=DAILY", "valid_from": "2027-01-01", "valid_until": "2030-12-31"}, "rrule"),
    ({"valid_from": "2027-06-01", "valid_until": "2027-01-01"}, "valid_until"),
    ({"slot_minutes": 300}, "slot_minutes"),
    ({"duration_minutes": "abc"}, "duration_minutes"),
    ({"start_time": 800}, "start_time"),
    ({"start_time": "25:00"}, "start_time"),
    ({"mode": "video"}, "mode"),
    ({"holiday_policy": "move"}, "holiday_policy"),
    ({"valid_from": "2027-02-30"}, "valid_from"),
    ({"unit_code": "99"}, "unit_code"),
    ({"unit_code": 8}, "unit_code"),
    ({"host_id": "abc"}, "host_id"),
    ({"host_id": None}, "host_id"),
])
def test_invalid_values_are_422_with_field_messages(api, place, overrides, field):
    response = api.post("/schedules", user=place.secretary, json=body(place, **overrides))
    assert response.status_code == 422
    data = response.get_json()
    assert data["error"] == "validation_error" and field in data["errors"]
    assert sessions_count() == 0


def test_a_host_of_another_unit_is_422_on_host_id(api, place):
    response = api.post("/schedules", user=place.secretary,
                        json=body(place, host_id=place.commune_chairman.id))
    assert response.status_code == 422 and set(response.get_json()["errors"]) == {"host_id"}


def test_a_body_that_is_not_json_is_400(api, place):
    response = api.post("/schedules", user=place.secretary, data="x",
                        headers={"Content-Type": "text/plain"})
    assert response.status_code == 400 and response.get_json()["error"] == "bad_request"


def test_an_overlap_is_409(api, place):
    api.post("/schedules", user=place.secretary, json=body(place))
    response = api.post("/schedules", user=place.secretary,
                        json=body(place, start_time="09:00", rrule="FREQ=MONTHLY;BYDAY=3TU"))
    assert response.status_code == 409 and response.get_json()["error"] == "overlap"


def test_preview_covers_any_year_and_saves_nothing(api, place):
    data = fixed_body(place, "FREQ=MONTHLY;BYDAY=2TU", date(2027, 1, 1), date(2028, 12, 31))
    response = api.post("/schedules/preview", user=place.secretary, json=data)
    assert response.status_code == 200
    sessions = response.get_json()["sessions"]
    assert len(sessions) == 24
    tet = next(s for s in sessions if s["starts_at"].startswith("2027-02"))
    assert tet == {"starts_at": "2027-02-11T08:00:00+07:00",
                   "ends_at": "2027-02-11T11:30:00+07:00", "shifted_from": "2027-02-09"}
    assert sessions_count() == 0 and not db.session.scalar(select(func.count(Schedule.id)))


def test_preview_needs_a_secretary(api, make, place):
    assert api.post("/schedules/preview", json=body(place)).status_code == 401
    citizen = make.make_user()
    assert api.post("/schedules/preview", user=citizen, json=body(place)).status_code == 403


def test_put_edits_the_schedule(api, place):
    created = api.post("/schedules", user=place.secretary, json=body(place)).get_json()
    response = api.put(f"/schedules/{created['id']}", user=place.secretary,
                       json=body(place, start_time="14:00"))
    assert response.status_code == 200
    data = response.get_json()
    assert [s["id"] for s in data["sessions"]] == [s["id"] for s in created["sessions"]]
    assert all(s["starts_at"][11:16] == "14:00" for s in data["sessions"])


def test_put_access_and_errors(api, make, place):
    created = api.post("/schedules", user=place.secretary, json=body(place)).get_json()
    outsider = make.make_user("secretary", unit=make.make_unit("01"))
    url = f"/schedules/{created['id']}"
    assert api.put(url, json=body(place)).status_code == 401
    assert api.put(url, user=outsider, json=body(place)).status_code == 403
    assert api.put("/schedules/999999", user=place.secretary, json=body(place)).status_code == 404
    moved = api.put(url, user=place.secretary, json=body(place, unit_code="02269",
                                                         host_id=place.commune_chairman.id))
    assert moved.status_code == 422 and "unit_code" in moved.get_json()["errors"]


def test_get_and_delete(api, place):
    created = api.post("/schedules", user=place.secretary, json=body(place)).get_json()
    url = f"/schedules/{created['id']}"
    assert api.get(url, user=place.secretary).get_json()["rrule"] == "FREQ=MONTHLY;BYDAY=3TU"
    response = api.request("DELETE", url, user=place.secretary)
    assert response.status_code == 200 and response.get_json()["is_active"] is False
    assert sessions_count() == 0
    assert api.get("/schedules/abc", user=place.secretary).status_code == 404


@pytest.mark.parametrize(("first", "last", "field"), [
    ("9999-06-01", "9999-12-31", "valid_from"), ("0001-01-01", "0001-12-31", "valid_until")])
def test_dates_outside_the_century_are_422_not_500(api, place, first, last, field):
    for path in ("/schedules", "/schedules/preview"):
        response = api.post(path, user=place.secretary,
                            json=body(place, valid_from=first, valid_until=last))
        assert response.status_code == 422 and field in response.get_json()["errors"]
