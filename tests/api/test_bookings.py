"""POST /api/v1/bookings: booking a case, and every way a request is refused."""

from datetime import timedelta

import pytest

from app.bookings.models import Booking, SlotHold
from app.extensions import db
from app.timeutil import iso_local
from tests.bookings.scene import body, build_scene, notifications, row_counts


def test_citizen_books_a_slot_and_gets_a_tracking_code(api, scene):
    response = api.post("/bookings", user=scene.citizen, json=body(scene.reception))
    assert response.status_code == 201
    data = response.get_json()
    assert data["status"] == "pending"
    assert data["slot_start"] == iso_local(scene.reception.starts_at)
    assert len(data["tracking_code"]) == 15
    booking = db.session.get(Booking, data["id"])
    assert booking.consent_recording_at is not None
    assert [e.status for e in booking.history] == ["pending"]
    assert db.session.scalar(db.select(SlotHold.booking_id)) == booking.id
    assert {n.kind for n in notifications()} == {"booking_received"}


def test_auto_accepting_unit_answers_accepted(api, scene):
    scene.unit.auto_accept = True
    response = api.post("/bookings", user=scene.citizen, json=body(scene.reception))
    assert response.get_json()["status"] == "accepted"
    assert notifications()[0].kind == "booking_accepted"


def test_without_slot_start_the_first_free_slot_is_taken(api, make, scene):
    make.make_booking(scene.reception, scene.other_citizen, slot_index=0)
    response = api.post("/bookings", user=scene.citizen, json=body(scene.reception, None))
    assert response.status_code == 201
    second = scene.reception.starts_at + timedelta(minutes=scene.reception.slot_minutes)
    assert response.get_json()["slot_start"] == iso_local(second)


def test_taken_slot_is_409_slot_taken(api, make, scene):
    make.make_booking(scene.reception, scene.other_citizen, slot_index=2)
    response = api.post("/bookings", user=scene.citizen, json=body(scene.reception, 2))
    assert response.status_code == 409
    assert response.get_json()["error"] == "slot_taken"


def test_full_session_is_409_session_full(api, make):
    scene = build_scene(make, duration_minutes=40)
    for index in range(2):
        make.make_booking(scene.reception, make.make_user(), slot_index=index)
    response = api.post("/bookings", user=scene.citizen, json=body(scene.reception, None))
    assert response.status_code == 409
    assert response.get_json()["error"] == "session_full"


def test_full_session_with_waitlist_gives_waitlisted_without_slot(api, make):
    scene = build_scene(make, duration_minutes=20)
    make.make_booking(scene.reception, make.make_user(), slot_index=0)
    response = api.post("/bookings", user=scene.citizen,
                        json=body(scene.reception, None, waitlist=True))
    assert response.status_code == 201
    assert response.get_json()["status"] == "waitlisted"
    assert response.get_json()["slot_start"] is None
    assert notifications()[0].kind == "booking_waitlisted"
    shown = api.get(f"/bookings/{response.get_json()['id']}", user=scene.citizen).get_json()
    assert shown["waitlist_position"] == 1


def test_waitlist_flag_books_a_slot_when_one_is_free(api, scene):
    response = api.post("/bookings", user=scene.citizen,
                        json=body(scene.reception, None, waitlist=True))
    assert response.get_json()["status"] == "pending"


def test_same_matter_twice_is_409_duplicate_matter(api, scene):
    api.post("/bookings", user=scene.citizen, json=body(scene.reception, 0))
    again = body(scene.reception, 1)
    again["matter"]["summary"] = "  Đề nghị cấp giấy   chứng nhận quyền sử dụng đất. "
    response = api.post("/bookings", user=scene.citizen, json=again)
    assert response.status_code == 409
    assert response.get_json()["error"] == "duplicate_matter"


def test_different_matters_in_one_session_are_allowed(api, scene):
    api.post("/bookings", user=scene.citizen, json=body(scene.reception, 0))
    other = body(scene.reception, 1, matter={"type": "phan_anh", "field": "moi_truong",
                                             "summary": "Ô nhiễm tiếng ồn."})
    assert api.post("/bookings", user=scene.citizen, json=other).status_code == 201


def test_same_matter_can_be_booked_again_after_cancelling(api, scene):
    first = api.post("/bookings", user=scene.citizen, json=body(scene.reception, 0))
    api.post(f"/bookings/{first.get_json()['id']}/cancel", user=scene.citizen)
    assert api.post("/bookings", user=scene.citizen,
                    json=body(scene.reception, 1)).status_code == 201


def test_retry_with_same_idempotency_key_returns_the_first_booking(api, scene):
    headers = {"Idempotency-Key": "abc-123"}
    first = api.post("/bookings", user=scene.citizen, json=body(scene.reception),
                     headers=headers)
    before = row_counts()
    second = api.post("/bookings", user=scene.citizen, json=body(scene.reception, 3),
                      headers=headers)
    assert second.status_code == 201
    assert second.get_json() == first.get_json()
    assert second.headers["Idempotent-Replayed"] == "true"
    assert row_counts() == before


def _twin_committed_after_the_key_lookup(monkeypatch) -> None:
    """As on PostgreSQL when a twin request with the same key commits between this
    request's look-up of the key and its checks: the first look-up finds nothing."""
    from app.bookings import services

    real, calls = services.booking_for_key, []

    def late(user, key):
        calls.append(key)
        return None if len(calls) == 1 else real(user, key)

    monkeypatch.setattr(services, "booking_for_key", late)


def test_a_twin_that_committed_meanwhile_is_replayed_not_a_duplicate(api, scene,
                                                                      monkeypatch):
    headers = {"Idempotency-Key": "double-click-2"}
    first = api.post("/bookings", user=scene.citizen, json=body(scene.reception, None),
                     headers=headers)
    before = row_counts()
    _twin_committed_after_the_key_lookup(monkeypatch)
    second = api.post("/bookings", user=scene.citizen, json=body(scene.reception, None),
                      headers=headers)
    assert second.status_code == 201, second.get_json()
    assert second.get_json() == first.get_json()
    assert second.headers["Idempotent-Replayed"] == "true"
    assert row_counts() == before


def test_a_twin_that_took_the_last_slot_meanwhile_is_replayed(api, make, monkeypatch):
    one_slot = build_scene(make, duration_minutes=20)
    headers = {"Idempotency-Key": "double-click-3"}
    first = api.post("/bookings", user=one_slot.citizen,
                     json=body(one_slot.reception, None), headers=headers)
    assert first.status_code == 201
    _twin_committed_after_the_key_lookup(monkeypatch)
    other_matter = body(one_slot.reception, None, matter={
        "type": "kien_nghi", "field": "dat_dai", "summary": "Một kiến nghị khác hẳn."})
    second = api.post("/bookings", user=one_slot.citizen, json=other_matter,
                      headers=headers)
    assert second.status_code == 201, second.get_json()
    assert second.get_json()["id"] == first.get_json()["id"]
    # Without the key, the same request is refused: the session is full.
    third = api.post("/bookings", user=one_slot.citizen, json=other_matter)
    assert third.status_code == 409 and third.get_json()["error"] == "session_full"


def test_unknown_session_is_404(api, scene):
    response = api.post("/bookings", user=scene.citizen, json=body(scene.reception, None,
                                                                   session_id=999999))
    assert response.status_code == 404


def test_cancelled_session_is_409_invalid_state(api, scene):
    scene.reception.status = "cancelled"
    response = api.post("/bookings", user=scene.citizen, json=body(scene.reception))
    assert response.status_code == 409
    assert response.get_json()["error"] == "invalid_state"


def test_malformed_json_is_400(api, scene):
    response = api.post("/bookings", user=scene.citizen, data="[1,2",
                        content_type="application/json")
    assert response.status_code == 400


@pytest.mark.parametrize("role", ["secretary", "host", "admin"])
def test_only_citizens_book(api, make, scene, role):
    staff = make.make_user(role, unit=scene.unit)
    assert api.post("/bookings", user=staff, json=body(scene.reception)).status_code == 403


def test_anonymous_cannot_book(api, scene):
    assert api.post("/bookings", json=body(scene.reception)).status_code == 401


def test_a_refusal_speaks_the_language_the_token_holder_chose(api, make):
    scene = build_scene(make, duration_minutes=20)
    make.make_booking(scene.reception, make.make_user(), slot_index=0)
    scene.citizen.locale = "en"
    english = api.post("/bookings", user=scene.citizen, json=body(scene.reception, None))
    vietnamese = api.post("/bookings", user=scene.other_citizen,
                          json=body(scene.reception, None))
    assert english.get_json()["error"] == vietnamese.get_json()["error"] == "session_full"
    assert english.get_json()["message"] != vietnamese.get_json()["message"]
    assert english.get_json()["message"].isascii()
    assert not vietnamese.get_json()["message"].isascii()
