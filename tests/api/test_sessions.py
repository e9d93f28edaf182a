"""GET/POST /api/v1/sessions, /sessions/<id>/cancel and /sessions/<id>/deputy."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from app.bookings.models import SlotHold
from app.extensions import db
from app.notify.models import Notification
from app.timeutil import LOCAL_TZ, local_today
from tests.schedules.helpers import add_session

FIELDS = {"id", "unit_code", "host_id", "host_name", "kind", "starts_at", "ends_at", "status",
          "mode", "slots_total", "slots_free"}


def adhoc_body(place, days=3, hour=21, **overrides) -> dict:
    """An ad-hoc session of the province chairman, a few days ahead, late in the evening."""
    start = datetime.combine(local_today() + timedelta(days=days), datetime.min.time())
    start = start.replace(hour=hour, tzinfo=LOCAL_TZ)
    data = {"unit_code": "08", "host_id": place.chairman.id, "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=1)).isoformat(), "slot_minutes": 15,
            "mode": "online", "reason": "Vụ việc đông người, có nguy cơ mất an ninh trật tự."}
    data.update(overrides)
    return data


def test_list_is_exactly_that_unit_by_start(api, place):
    later = add_session(place.province, place.chairman, local_today() + timedelta(days=6))
    sooner = add_session(place.province, place.chairman, local_today() + timedelta(days=2))
    add_session(place.commune, place.commune_chairman, local_today() + timedelta(days=3))
    response = api.get(f"/sessions?unit=08&from={local_today()}&to="
                       f"{local_today() + timedelta(days=10)}")
    data = response.get_json()
    assert [s["id"] for s in data] == [sooner.id, later.id]
    assert set(data[0]) == FIELDS and data[0]["unit_code"] == "08"
    assert data[0]["host_name"] == place.chairman.full_name
    assert (data[0]["slots_total"], data[0]["slots_free"]) == (10, 10)


@pytest.mark.parametrize("query", [
    "unit=08&from=2027-02-30", "unit=08&to=tomorrow", "unit=08&from=2027-03-01&to=2027-02-01",
    "unit=08&from=2020-01-01&to=2029-01-01", "from=2027-01-01"])
def test_invalid_query_is_422(api, place, query):
    response = api.get(f"/sessions?{query}")
    assert response.status_code == 422 and response.get_json()["errors"]


def test_unknown_unit_is_404(api, place):
    assert api.get("/sessions?unit=77").status_code == 404


def test_one_session_with_its_slots(api, make, place):
    reception = add_session(place.province, place.chairman, local_today() + timedelta(days=6))
    make.make_booking(reception, make.make_user(), slot_index=1)
    data = api.get(f"/sessions/{reception.id}").get_json()
    assert set(data) == FIELDS | {"slots"}
    assert [s["free"] for s in data["slots"][:3]] == [True, False, True]
    assert data["slots_free"] == 9 and data["slots"][0]["start"].endswith("08:00:00+07:00")


def test_a_session_of_the_wrong_form_or_unknown_is_404(api):
    assert api.get("/sessions/abc").get_json()["error"] == "not_found"
    assert api.get("/sessions/987654").status_code == 404


def test_an_adhoc_session_any_day_or_hour_takes_bookings_at_once(api, place):
    response = api.post("/sessions", user=place.secretary, json=adhoc_body(place, days=0,
                                                                           hour=23))
    expected = {"link_test_late"}  # no working day left to test the link
    if response.status_code == 422:  # it is already past 23:00 in Vietnam: in 2 minutes
        start = datetime.now(LOCAL_TZ) + timedelta(minutes=2)
        response = api.post("/sessions", user=place.secretary, json=adhoc_body(
            place, starts_at=start.isoformat(),
            ends_at=(start + timedelta(hours=1)).isoformat()))
        # (tomorrow, past midnight, a working day may be left: not late then)
        expected = {"connect_late"} | ({"link_test_late"} if start.date() == local_today()
                                       else set())
    assert response.status_code == 201
    data = response.get_json()
    assert data["kind"] == "adhoc" and data["slots_total"] == 4 and data["slots_free"] == 4
    assert {w["code"] for w in data["warnings"]} >= expected
    assert api.get(f"/sessions/{data['id']}").status_code == 200


def test_an_adhoc_session_must_start_a_minute_ahead(api, place):
    start = datetime.now(LOCAL_TZ) + timedelta(seconds=20)
    response = api.post("/sessions", user=place.secretary, json=adhoc_body(
        place, starts_at=start.isoformat(), ends_at=(start + timedelta(hours=1)).isoformat()))
    assert response.status_code == 422 and "starts_at" in response.get_json()["errors"]


@pytest.mark.parametrize(("overrides", "field"), [
    ({"reason": ""}, "reason"), ({"starts_at": "soon"}, "starts_at"),
    ({"slot_minutes": "abc"}, "slot_minutes"), ({"slot_minutes": 90}, "slot_minutes"),
    ({"mode": "tv"}, "mode"), ({"unit_code": "99"}, "unit_code"), ({"host_id": 0}, "host_id")])
def test_invalid_adhoc_values_are_422(api, place, overrides, field):
    response = api.post("/sessions", user=place.secretary, json=adhoc_body(place, **overrides))
    assert response.status_code == 422 and field in response.get_json()["errors"]


def test_ends_before_start_is_422(api, place):
    data = adhoc_body(place)
    data["ends_at"] = data["starts_at"]
    assert "ends_at" in api.post("/sessions", user=place.secretary,
                                 json=data).get_json()["errors"]


def test_an_overlapping_adhoc_session_is_409(api, place):
    assert api.post("/sessions", user=place.secretary, json=adhoc_body(place)).status_code == 201
    start = datetime.fromisoformat(adhoc_body(place)["starts_at"]) + timedelta(minutes=30)
    response = api.post("/sessions", user=place.secretary, json=adhoc_body(
        place, starts_at=start.isoformat(), ends_at=(start + timedelta(hours=1)).isoformat()))
    assert response.status_code == 409 and response.get_json()["error"] == "overlap"


@pytest.mark.parametrize(("who", "status"), [(None, 401), ("citizen", 403), ("host", 403),
                                             ("officer", 403), ("admin", 201)])
def test_who_may_add_an_adhoc_session(api, make, place, who, status):
    users = {"citizen": make.make_user, "host": lambda: place.chairman,
             "officer": lambda: make.make_user("officer", unit=place.province),
             "admin": lambda: make.make_user("admin")}
    user = users[who]() if who else None
    assert api.post("/sessions", user=user, json=adhoc_body(place)).status_code == status


def test_cancel_cancels_bookings_and_tells_citizens(api, make, place):
    reception = add_session(place.province, place.chairman, local_today() + timedelta(days=6))
    citizen = make.make_user()
    booking = make.make_booking(reception, citizen, open_matter_key="k" * 64)
    response = api.post(f"/sessions/{reception.id}/cancel", user=place.secretary,
                        json={"reason": "Chủ tịch họp đột xuất với Chính phủ."})
    assert response.status_code == 200 and response.get_json()["status"] == "cancelled"
    assert (booking.status, booking.open_matter_key) == ("cancelled", None)
    assert booking.history[-1].status == "cancelled" and reception.sequence == 1
    assert not db.session.scalars(select(SlotHold)).all()
    assert db.session.scalars(select(Notification).where(
        Notification.user_id == citizen.id, Notification.kind == "session_cancelled")).all()


def test_cancel_twice_is_409_and_needs_a_reason(api, place):
    reception = add_session(place.province, place.chairman, local_today() + timedelta(days=6))
    url = f"/sessions/{reception.id}/cancel"
    assert api.post(url, user=place.secretary, json={"reason": " "}).status_code == 422
    assert api.post(url, user=place.secretary, json={"reason": "Lý do"}).status_code == 200
    second = api.post(url, user=place.secretary, json={"reason": "Lý do"})
    assert second.status_code == 409 and second.get_json()["error"] == "invalid_state"


@pytest.mark.parametrize(("who", "status"), [(None, 401), ("citizen", 403), ("host", 403),
                                             ("commune_secretary", 403)])
def test_who_may_not_cancel(api, make, place, who, status):
    reception = add_session(place.province, place.chairman, local_today() + timedelta(days=6))
    users = {"citizen": make.make_user, "host": lambda: place.chairman,
             "commune_secretary": lambda: make.make_user("secretary", unit=place.commune)}
    user = users[who]() if who else None
    response = api.post(f"/sessions/{reception.id}/cancel", user=user, json={"reason": "x"})
    assert response.status_code == status


def test_a_deputy_hosts_in_the_chairmans_place(api, place):
    reception = add_session(place.province, place.chairman, local_today() + timedelta(days=6))
    response = api.post(f"/sessions/{reception.id}/deputy", user=place.secretary, json={
        "deputy_id": place.deputy.id, "authorisation": "Giấy ủy quyền số 12/GUQ-UBND"})
    data = response.get_json()
    assert response.status_code == 200 and data["host_id"] == place.chairman.id
    assert (data["acting_host_id"], data["deputy_authorisation"]) == (
        place.deputy.id, "Giấy ủy quyền số 12/GUQ-UBND")
    assert reception.acting_host_id == place.deputy.id


def test_a_deputy_must_be_of_the_unit_and_authorised(api, make, place):
    reception = add_session(place.province, place.chairman, local_today() + timedelta(days=6))
    url = f"/sessions/{reception.id}/deputy"
    citizen = make.make_user()
    wrong = api.post(url, user=place.secretary, json={"deputy_id": citizen.id,
                                                      "authorisation": "GUQ"})
    unsigned = api.post(url, user=place.secretary, json={"deputy_id": place.deputy.id})
    assert wrong.status_code == 422 and "deputy_id" in wrong.get_json()["errors"]
    assert unsigned.status_code == 422 and "authorisation" in unsigned.get_json()["errors"]
    assert api.post(url, user=citizen, json={"deputy_id": place.deputy.id,
                                             "authorisation": "GUQ"}).status_code == 403


@pytest.mark.parametrize("query", ["from=9999-12-31&to=9999-12-31", "from=0001-01-01"])
def test_dates_outside_the_century_are_422(api, place, query):
    assert api.get(f"/sessions?unit=08&{query}").status_code == 422
