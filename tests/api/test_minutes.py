"""PUT/GET /api/v1/bookings/<id>/minutes: who may write and read, versions, conflicts."""

from __future__ import annotations

import pytest

from tests.minutes.world import build_world

BODY = {"content": "Công dân trình bày nội dung.", "conclusion": "Giao Sở Xây dựng kiểm tra."}


def _put(api, world, user, body=None):
    return api.put(f"/bookings/{world.booking.id}/minutes", user=user, json=body or BODY)


@pytest.mark.parametrize("role", ["secretary", "host", "admin"])
def test_secretary_and_host_write_the_minutes(api, world, role):
    response = _put(api, world, getattr(world, role))
    assert response.status_code == 200
    data = response.get_json()
    assert (data["version"], data["content"], data["conclusion"]) == (
        1, BODY["content"], BODY["conclusion"])


@pytest.mark.parametrize("role", ["citizen", "other_citizen", "other_secretary", "officer",
                                  "inspector"])
def test_others_may_not_write(api, world, role):
    # Those who do not even view the case get the 404 of a missing one.
    expected = 403 if role in ("citizen", "inspector") else 404
    assert _put(api, world, getattr(world, role)).status_code == expected


def test_anonymous_is_401(api, world):
    assert _put(api, world, None).status_code == 401


def test_secretary_of_the_province_writes_for_a_commune(api, world, make):
    reception = make.make_reception(world.commune, world.host)
    booking = make.make_booking(reception, world.citizen)
    response = api.put(f"/bookings/{booking.id}/minutes", user=world.secretary, json=BODY)
    assert response.status_code == 200


def test_inspector_reads_but_citizen_does_not(api, world):
    _put(api, world, world.secretary)
    path = f"/bookings/{world.booking.id}/minutes"
    assert api.get(path, user=world.inspector).get_json()["content"] == BODY["content"]
    assert api.get(path, user=world.citizen).status_code == 403
    assert api.get(path, user=world.officer).status_code == 404


def test_stale_version_is_409_with_the_current_text(api, world):
    _put(api, world, world.secretary)
    response = _put(api, world, world.host, {"content": "khác", "version": 0})
    assert response.status_code == 409
    data = response.get_json()
    assert data["error"] == "invalid_state" and data["current"]["content"] == BODY["content"]
    assert _put(api, world, world.host, {"content": "khác", "version": 1}).status_code == 200


def test_allowed_after_the_session(api, make):
    world = build_world(make, starts_in_minutes=-60 * 24 * 3, status="served")
    assert _put(api, world, world.secretary).status_code == 200


def test_refused_for_a_pending_booking(api, make):
    world = build_world(make, status="pending")
    assert _put(api, world, world.secretary).get_json()["error"] == "invalid_state"


def test_outcome_is_stored(api, world):
    data = _put(api, world, world.secretary, {**BODY, "outcome": "thu_ly"}).get_json()
    assert data["outcome"] == "thu_ly" and data["outcome_label"] == "Thụ lý giải quyết"


@pytest.mark.parametrize("body", [{"content": 1}, {"outcome": "khong_ro"},
                                  {"content": "a", "version": -1}])
def test_invalid_body_is_422(api, world, body):
    response = _put(api, world, world.secretary, body)
    assert response.status_code == 422 and response.get_json()["error"] == "validation_error"


def test_non_object_body_is_400(api, world):
    assert _put(api, world, world.secretary, ["x"]).status_code == 400


def test_unknown_booking_is_404(api, world):
    assert api.put("/bookings/999999/minutes", user=world.secretary, json=BODY).status_code \
        == 404
    assert api.put("/bookings/abc/minutes", user=world.secretary, json=BODY).status_code == 404


def test_versions_list_who_changed_what(api, world):
    _put(api, world, world.secretary)
    versions = api.get(f"/bookings/{world.booking.id}/minutes/versions",
                       user=world.host).get_json()
    assert versions[0]["author"] == world.secretary.full_name
    assert versions[0]["content"] == BODY["content"]
