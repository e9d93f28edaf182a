"""POST /api/v1/bookings: every invalid field is 422 with a Vietnamese message; nothing is written."""

from datetime import timedelta

import pytest

from app.timeutil import iso_local
from tests.bookings.scene import body, build_scene, row_counts


def _matter(**changes):
    matter = {"type": "kien_nghi", "field": "dat_dai", "summary": "Nội dung."}
    matter.update(changes)
    return matter


PERSON = {"full_name": "Trần Thị Bình", "phone": "0912000111"}
INVALID = [
    ("session_id", {"session_id": "12"}),
    ("session_id", {"session_id": True}),
    ("session_id", {"session_id": None}),
    ("slot_start", {"slot_start": "ngày mai"}),
    ("slot_start", {"slot_start": 1234}),
    ("matter.type", {"matter": _matter(type="khieu_kien")}),
    ("matter.type", {"matter": _matter(type=None)}),
    ("matter.field", {"matter": _matter(field="giao_thong")}),
    ("matter.summary", {"matter": _matter(summary="")}),
    ("matter.summary", {"matter": _matter(summary="   ")}),
    ("matter.summary", {"matter": _matter(summary="x" * 5001)}),
    ("matter.summary", {"matter": "khiếu nại"}),
    ("group_size", {"group_size": 0}),
    ("group_size", {"group_size": 101}),
    ("group_size", {"group_size": "5"}),
    ("group_size", {"group_size": 2.5}),
    ("representatives", {"group_size": 6, "representatives": []}),
    ("representatives", {"group_size": 8, "representatives": [PERSON] * 3}),
    ("representatives", {"group_size": 12, "representatives": [PERSON] * 6}),
    ("representatives", {"representatives": [{"full_name": "An", "phone": "12345"}]}),
    ("representatives", {"representatives": "Trần Thị Bình"}),
    ("earlier_case_ref", {"earlier_case_ref": "x" * 101}),
    ("waitlist", {"waitlist": "yes"}),
    ("consents", {"consents": "yes"}),
]


@pytest.mark.parametrize(("field", "changes"), INVALID)
def test_invalid_field_is_422_and_writes_nothing(api, scene, field, changes):
    before = row_counts()
    response = api.post("/bookings", user=scene.citizen, json=body(scene.reception, **changes))
    assert response.status_code == 422, response.get_json()
    data = response.get_json()
    assert data["error"] == "validation_error"
    assert field in data["errors"]
    assert data["errors"][field]  # a message for the person
    assert row_counts() == before


def test_slot_start_off_the_slot_boundary_is_422(api, scene):
    off = iso_local(scene.reception.starts_at + timedelta(minutes=7))
    before = row_counts()
    response = api.post("/bookings", user=scene.citizen,
                        json=body(scene.reception, slot_start=off))
    assert response.status_code == 422
    assert "slot_start" in response.get_json()["errors"]
    assert row_counts() == before


def test_slot_start_after_the_session_is_422(api, scene):
    late = iso_local(scene.reception.ends_at)
    response = api.post("/bookings", user=scene.citizen,
                        json=body(scene.reception, slot_start=late))
    assert response.status_code == 422


def test_several_invalid_fields_are_all_listed(api, scene):
    response = api.post("/bookings", user=scene.citizen, json={
        "session_id": "x", "matter": {"type": "?", "field": "?", "summary": ""},
        "group_size": -1})
    assert set(response.get_json()["errors"]) >= {
        "session_id", "matter.type", "matter.field", "matter.summary", "group_size"}


def test_group_with_representatives_is_accepted(api, scene):
    data = body(scene.reception, group_size=7, representatives=[PERSON, {
        "full_name": "Lê Văn Cường", "phone": "+84987000111"}])
    assert api.post("/bookings", user=scene.citizen, json=data).status_code == 201


def test_online_session_without_recording_consent_is_422_consent_required(api, scene):
    before = row_counts()
    response = api.post("/bookings", user=scene.citizen,
                        json=body(scene.reception, consents={"recording": False}))
    assert response.status_code == 422
    assert response.get_json()["error"] == "consent_required"
    assert "consents.recording" in response.get_json()["errors"]
    assert row_counts() == before


def test_online_denunciation_needs_the_risk_consent(api, scene):
    data = body(scene.reception, matter=_matter(type="to_cao"))
    response = api.post("/bookings", user=scene.citizen, json=data)
    assert response.status_code == 422
    assert response.get_json()["error"] == "consent_required"
    assert "consents.online_denunciation_risk" in response.get_json()["errors"]
    data["consents"]["online_denunciation_risk"] = True
    assert api.post("/bookings", user=scene.citizen, json=data).status_code == 201


def test_in_person_session_needs_no_recording_consent(api, make):
    scene = build_scene(make, mode="in_person")
    data = body(scene.reception, matter=_matter(type="to_cao"), consents={})
    assert api.post("/bookings", user=scene.citizen, json=data).status_code == 201


def test_consent_times_are_stored(api, scene):
    data = body(scene.reception, matter=_matter(type="to_cao"),
                consents={"recording": True, "online_denunciation_risk": True})
    booking_id = api.post("/bookings", user=scene.citizen, json=data).get_json()["id"]
    shown = api.get(f"/bookings/{booking_id}", user=scene.citizen).get_json()["consents"]
    assert shown["recording_at"] and shown["online_denunciation_risk_at"]


def test_too_long_idempotency_key_is_422(api, scene):
    response = api.post("/bookings", user=scene.citizen, json=body(scene.reception),
                        headers={"Idempotency-Key": "k" * 201})
    assert response.status_code == 422
